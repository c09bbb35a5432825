"""Where a completed export job's output is: an S3 prefix, a manifest in S3 that
lists its files, or a pre-signed URL.

Each adapter declares where its jobs' output is (``Fields.destination``): an
``s3://BUCKET/PREFIX`` URI or an HTTPS download URL. Where a service's export jobs
may share a prefix, only the objects whose key names the export job belong to it
(``ServiceSpec.output``, ``Output.keys_name_job``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from exportctl.domain.errors import ExitCode, ExportctlError, NotFoundError
from exportctl.domain.model import ExportJob, State, field_value
from exportctl.domain.printable import redact
from exportctl.services import spec_for
from exportctl.services.spec import Manifest


class NotCompletedError(ExportctlError):
    """The job has not (or not successfully) finished: there is nothing to fetch."""

    exit_code = ExitCode.JOB_FAILED


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    # Keep only keys naming this job (``Output.keys_name_job``); None keeps every key.
    job_id: str | None = None
    # The prefix is a folder (``Output.folder``): its keys are below ``prefix/``.
    folder: bool = False

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def listed(self) -> str:
        """The prefix the listing asks for: a folder's with its last '/'."""
        if self.folder and self.prefix and not self.prefix.endswith("/"):
            return self.prefix + "/"
        return self.prefix

    @property
    def base(self) -> str:
        """The part of every key that local paths leave out: the prefix's folders
        (a folder given without its '/' keeps its name in the local paths)."""
        return self.prefix.rpartition("/")[0] + "/" if "/" in self.prefix else ""

    def selects(self, key: str) -> bool:
        if not key.startswith(self.listed):
            return False
        if self.job_id is None:
            return True
        # The id as a segment of the key, or written right after the prefix: EC2 and
        # Backup Search write PREFIX + ID (+ '.vmdk', + '/...'), a prefix without its
        # last '/' included (`amis` + `export-ami-1.vmdk`).
        named = re.compile(rf"{re.escape(self.job_id)}($|/|[._-])")
        return any(
            m.start() == 0 or key[m.start() - 1] == "/" or m.start() <= len(self.prefix)
            for m in named.finditer(key)
        )


@dataclass(frozen=True)
class UrlLocation:
    url: str

    @property
    def display(self) -> str:
        return redact(self.url)

    @property
    def filename(self) -> str:
        return urlsplit(self.url).path.rstrip("/").rpartition("/")[2]


@dataclass(frozen=True)
class ManifestLocation:
    """A manifest in S3 that lists the job's files (``Output(kind="manifest")``)."""

    bucket: str
    key: str
    manifest: Manifest

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def base(self) -> str:
        """The manifest's folder: local paths leave it out of every key below it."""
        return self.key.rpartition("/")[0] + "/" if "/" in self.key else ""


Location = S3Location | UrlLocation | ManifestLocation


def parse_s3(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3:// URI: {uri!r}")
    return parts.netloc, parts.path.lstrip("/")


def output_of(job: ExportJob) -> Location:
    """The job's output location; an error with its exit code when there is none."""
    if job.state is not State.COMPLETED:
        why = f": {job.message}" if job.message else ""
        raise NotCompletedError(
            f"{job.ref} is {job.said_state}, not COMPLETED: nothing to download{why}",
            service=job.service,
        )
    dest = (job.destination or "").strip()
    if not dest:
        raise NotFoundError(f"{job.ref} has no output location", service=job.service)
    output = spec_for(job.service).output
    if dest.startswith("s3://") and output is not None and output.manifest is not None:
        return _manifest_of(job, parse_s3(dest)[0], output.manifest)
    if dest.startswith("s3://"):
        bucket, prefix = parse_s3(dest)
        own = job.id if _keys_name_job(job) else None
        return S3Location(bucket, prefix, own, folder=output is not None and output.folder)
    if dest.startswith(("https://", "http://")):
        return UrlLocation(dest)
    raise NotFoundError(
        f"{job.ref}: output location {redact(dest)!r} is neither s3:// nor https://",
        service=job.service,
    )


def _manifest_of(job: ExportJob, bucket: str, manifest: Manifest) -> ManifestLocation:
    key = field_value(job.to_dict(), manifest.record)
    if not isinstance(key, str) or not key.strip("/"):
        raise NotFoundError(
            f"{job.ref} names no manifest ({manifest.record}): its files cannot be told "
            "from the others under its destination",
            service=job.service,
        )
    return ManifestLocation(bucket, key.lstrip("/"), manifest)


def default_dirname(job: ExportJob) -> str:
    """A directory name for the job's files: service and the id's last segment; the
    service alone where the objects' keys already name the job (``ID/manifest.json``),
    so that the id is not written twice."""
    if _keys_name_job(job):
        return job.service
    tail = job.id.rstrip("/").rpartition("/")[2] or job.id
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-") or "export"
    return f"{job.service}-{safe}"


def _keys_name_job(job: ExportJob) -> bool:
    """Its service's jobs share their prefix: the keys of its own objects name it."""
    output = spec_for(job.service).output
    return output is not None and output.keys_name_job
