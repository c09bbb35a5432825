"""The options of `exportctl sandbox` that grow a world beyond its scenario, for scale
tests: each a count, by its option's name, and a keyword of :class:`Sandbox` (dashes
for underscores). Declared here, where the worlds are known, so that the command
names no service; read as the command is made (its --help too), so this module
imports nothing.
"""

from __future__ import annotations

# (option, help), in the order the command lists them; README.md's table of the
# command's options shows each help (tests/readme_sandbox.py).
SCALE_OPTIONS: tuple[tuple[str, str], ...] = (
    ("discovery-tasks", "Serve N generated finished Discovery export tasks in us-east-1 "
     "(for scale tests)."),
    ("logs-tasks", "Serve N generated finished CloudWatch Logs export tasks in us-east-1 "
     "(for scale tests)."),
    ("rds-tasks", "Serve N generated finished RDS snapshot export tasks in us-east-1 "
     "(for scale tests)."),
    ("ec2-tasks", "Serve N generated finished EC2 AMI export tasks in us-east-1 "
     "(for scale tests)."),
)  # fmt: skip
