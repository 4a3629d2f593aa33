"""Plain-Python logic of the workflow's Glue job: no Spark, no AWS, so it is unit-tested in CI.

The job reads a stage's output (JSON Lines, or a JSON document on one line: an array is split
into its items), normalises each record and writes JSON Lines. Keys follow the S3 path
convention of the TypeScript kit (src/workflow/paths.ts): executions/{id}/{stage}/output.json.
"""

import json

EXECUTIONS_PREFIX = "executions/"
OUTPUT_FILE = "output.json"
ARGUMENT_NAMES = ["execution-id", "input-bucket", "input-key", "output-bucket", "output-key"]


class TransformError(ValueError):
    """A line of the input is not JSON, or a record is not an object."""


def stage_output_key(execution_id, stage):
    """executions/{execution_id}/{stage}/output.json, the key a stage writes."""
    for name, value in (("execution_id", execution_id), ("stage", stage)):
        if not value or "/" in value:
            raise ValueError(f"{name} {value!r} must be a non-empty S3 key segment without '/'")
    return f"{EXECUTIONS_PREFIX}{execution_id}/{stage}/{OUTPUT_FILE}"


def check_io_arguments(args):
    """The five I/O arguments, checked: keys stay under executions/ and differ from each other."""
    missing = [name for name in ARGUMENT_NAMES if not args.get(name)]
    if missing:
        raise ValueError("missing job arguments: " + ", ".join("--" + name for name in missing))
    for name in ("input-key", "output-key"):
        if not args[name].startswith(EXECUTIONS_PREFIX):
            raise ValueError(f"--{name} {args[name]!r} is outside {EXECUTIONS_PREFIX}")
    if (args["input-bucket"], args["input-key"]) == (args["output-bucket"], args["output-key"]):
        raise ValueError("--output-key equals --input-key: a stage must not overwrite its input")
    return {name: args[name] for name in ARGUMENT_NAMES}


def parse_line(line, line_number=0):
    """The records on one input line: [] for a blank line, the items of an array, or [value]."""
    text = line.strip()
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise TransformError(f"line {line_number}: not JSON ({error.msg})") from error
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise TransformError(f"line {line_number}: a record must be a JSON object")
    return items


def normalize_record(record, required_fields=()):
    """Trims strings, drops null fields; None when a required field is missing or empty."""
    cleaned = {}
    for key, value in record.items():
        if value is None:
            continue
        cleaned[key.strip()] = value.strip() if isinstance(value, str) else value
    for field in required_fields:
        if cleaned.get(field) in (None, ""):
            return None
    return cleaned


def transform_lines(lines, required_fields=()):
    """Input lines to output JSON Lines (without newline), one per kept record. Lazy."""
    for number, line in enumerate(lines, start=1):
        for record in parse_line(line, number):
            normalized = normalize_record(record, required_fields)
            if normalized is not None:
                yield json.dumps(normalized, separators=(",", ":"), sort_keys=True)


def parse_required_fields(value):
    """'--required-fields a,b' → ('a', 'b'); empty or absent → ()."""
    if not value:
        return ()
    return tuple(field.strip() for field in value.split(",") if field.strip())
