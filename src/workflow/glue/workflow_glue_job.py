"""Glue (PySpark) stage of an S3Workflow.

Arguments (set by the state machine for each run): --execution-id, --input-bucket, --input-key,
--output-bucket, --output-key; optional --required-fields a,b. Reads the previous stage's
output, applies workflow_transform.transform_lines to each partition, and writes one JSON Lines
object at the output key (Spark writes parts under a temporary prefix, then the single part is
copied into place), so the next stage finds it by the path convention.
"""

import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from workflow_transform import (
    ARGUMENT_NAMES,
    check_io_arguments,
    parse_required_fields,
    transform_lines,
)

OPTIONAL = [name for name in ["required-fields"] if f"--{name}" in sys.argv]
args = getResolvedOptions(sys.argv, ["JOB_NAME"] + ARGUMENT_NAMES + OPTIONAL)
io = check_io_arguments(args)
required_fields = parse_required_fields(args.get("required-fields"))

spark_context = SparkContext.getOrCreate()
glue_context = GlueContext(spark_context)
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

source = f"s3://{io['input-bucket']}/{io['input-key']}"
parts_prefix = f"{io['output-key']}.parts/"
parts_uri = f"s3://{io['output-bucket']}/{parts_prefix}"
print(f"execution {io['execution-id']}: {source} -> s3://{io['output-bucket']}/{io['output-key']}")

lines = spark_context.textFile(source)
output = lines.mapPartitions(lambda part: transform_lines(part, required_fields))
# One part so the output is one object; the transform itself runs on every partition.
output.coalesce(1).saveAsTextFile(parts_uri)

s3 = boto3.client("s3")
listing = s3.list_objects_v2(Bucket=io["output-bucket"], Prefix=parts_prefix)
parts = [item["Key"] for item in listing.get("Contents", []) if "/part-" in item["Key"]]
if len(parts) != 1:
    raise RuntimeError(f"expected one output part under {parts_uri}, found {len(parts)}")
s3.copy(
    {"Bucket": io["output-bucket"], "Key": parts[0]},
    io["output-bucket"],
    io["output-key"],
    ExtraArgs={"ContentType": "application/x-ndjson", "MetadataDirective": "REPLACE"},
)
for item in listing.get("Contents", []):
    s3.delete_object(Bucket=io["output-bucket"], Key=item["Key"])

job.commit()
