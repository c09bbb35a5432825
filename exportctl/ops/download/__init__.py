"""Fetching an export's files to a local directory: safely, resumably, concurrently.

* Objects are listed page by page (ListObjectsV2), so any number of files works
  (:mod:`.s3`); or they are the files a manifest lists, each checked against the
  MD5 listed for it (:mod:`.manifest`).
* A file already in place with the same size (and, for single-part uploads, the
  same MD5 as the ETag) is skipped; an existing different file is an error
  unless ``force`` (:mod:`.resume`). A fetched object's bytes are checked against
  the MD5 its ETag is, where it is one (:mod:`.digests`).
* Each file is written under a temporary name in its own directory and renamed
  when complete: an error or an interrupt never leaves a partial file under the
  final name (:mod:`.files`).
* A key that would land outside the destination (``..``, an absolute path) is
  refused before anything is fetched (:mod:`.paths`).
* Temporary files are named ``.NAME.exportctl-part-PID-RANDOM``: the owner's process
  id says whose they are. On Ctrl-C or SIGTERM the main thread removes every one
  still open, whatever its writer is doing (:mod:`.pool`); after a SIGKILL, the next
  download into the same destination removes those whose process is gone.

Nothing here prints: a :class:`.records.Reporter` hears about progress. The commands
call :func:`.job.fetch_job`.
"""
