"""Runs the Glue job script against stand-ins for awsglue, pyspark and boto3 (none is installed
in CI): checks that it reads the input key, writes exactly one object at the output key with the
transformed records, and leaves no temporary parts behind."""

import json
import os
import runpy
import sys
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GLUE_DIR = os.path.join(HERE, "..", "..", "..", "src", "workflow", "glue")
SCRIPT = os.path.join(GLUE_DIR, "workflow_glue_job.py")
sys.path.insert(0, os.path.join(GLUE_DIR, "lib"))


class FakeS3:
    """Objects by (bucket, key), as S3 would hold them."""

    def __init__(self):
        self.objects = {}
        self.content_types = {}

    def text(self, uri):
        bucket, key = uri[len("s3://"):].split("/", 1)
        return self.objects[(bucket, key)]


class FakeRdd:
    def __init__(self, store, lines):
        self.store = store
        self.lines = list(lines)

    def mapPartitions(self, fn):  # noqa: N802 - Spark's name
        half = len(self.lines) // 2  # two partitions, like a real split
        return FakeRdd(self.store, list(fn(iter(self.lines[:half]))) + list(fn(iter(self.lines[half:]))))

    def coalesce(self, count):
        assert count == 1
        return self

    def saveAsTextFile(self, uri):  # noqa: N802
        bucket, prefix = uri[len("s3://"):].split("/", 1)
        self.store.objects[(bucket, prefix + "part-00000")] = "\n".join(self.lines) + "\n"
        self.store.objects[(bucket, prefix + "_SUCCESS")] = ""


class FakeSparkContext:
    store = None

    @classmethod
    def getOrCreate(cls):  # noqa: N802
        return cls()

    def textFile(self, uri):  # noqa: N802
        return FakeRdd(self.store, self.store.text(uri).splitlines())


class FakeS3Client:
    def __init__(self, store):
        self.store = store

    def list_objects_v2(self, Bucket, Prefix):  # noqa: N803 - boto3's names
        keys = sorted(k for (b, k) in self.store.objects if b == Bucket and k.startswith(Prefix))
        return {"Contents": [{"Key": key} for key in keys]} if keys else {}

    def copy(self, source, bucket, key, ExtraArgs):  # noqa: N803
        self.store.objects[(bucket, key)] = self.store.objects[(source["Bucket"], source["Key"])]
        self.store.content_types[(bucket, key)] = ExtraArgs["ContentType"]

    def delete_object(self, Bucket, Key):  # noqa: N803
        del self.store.objects[(Bucket, Key)]


def get_resolved_options(argv, names):
    values = {}
    for name in names:
        flag = "--" + name
        if flag not in argv:
            raise KeyError(flag)
        values[name] = argv[argv.index(flag) + 1]
    return values


def install_fakes(store, committed):
    class FakeJob:
        def __init__(self, context):
            self.context = context

        def init(self, name, args):
            self.name = name

        def commit(self):
            committed.append(True)

    modules = {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.context": types.ModuleType("awsglue.context"),
        "awsglue.job": types.ModuleType("awsglue.job"),
        "awsglue.utils": types.ModuleType("awsglue.utils"),
        "pyspark": types.ModuleType("pyspark"),
        "pyspark.context": types.ModuleType("pyspark.context"),
        "boto3": types.ModuleType("boto3"),
    }
    modules["awsglue.context"].GlueContext = lambda sc: object()
    modules["awsglue.job"].Job = FakeJob
    modules["awsglue.utils"].getResolvedOptions = get_resolved_options
    FakeSparkContext.store = store
    modules["pyspark.context"].SparkContext = FakeSparkContext
    modules["boto3"].client = lambda service: FakeS3Client(store)
    sys.modules.update(modules)
    return modules


class GlueJobScriptTest(unittest.TestCase):
    def setUp(self):
        self.store = FakeS3()
        self.committed = []
        self.modules = install_fakes(self.store, self.committed)
        self.argv = sys.argv

    def tearDown(self):
        sys.argv = self.argv
        for name in self.modules:
            sys.modules.pop(name, None)

    def run_job(self, *extra):
        sys.argv = [
            SCRIPT, "--JOB_NAME", "Stack-dev-Normalize",
            "--execution-id", "run-7",
            "--input-bucket", "wf", "--input-key", "executions/run-7/etl/output.json",
            "--output-bucket", "wf", "--output-key", "executions/run-7/normalize/output.json",
            *extra,
        ]
        runpy.run_path(SCRIPT, run_name="__main__")

    def test_reads_the_input_key_and_writes_one_json_lines_object_at_the_output_key(self):
        records = [{"id": "1", "name": " a "}, {"id": "2", "name": None}, {"name": "no id"}]
        self.store.objects[("wf", "executions/run-7/etl/output.json")] = json.dumps(records)

        self.run_job("--required-fields", "id")

        key = ("wf", "executions/run-7/normalize/output.json")
        lines = self.store.objects[key].splitlines()
        self.assertEqual([json.loads(line) for line in lines], [{"id": "1", "name": "a"}, {"id": "2"}])
        self.assertEqual(self.store.content_types[key], "application/x-ndjson")
        # Only the input and the output remain: the temporary parts are gone.
        self.assertEqual(sorted(k for (_, k) in self.store.objects), [
            "executions/run-7/etl/output.json",
            "executions/run-7/normalize/output.json",
        ])
        self.assertEqual(self.committed, [True])

    def test_reads_json_lines_input_without_required_fields(self):
        self.store.objects[("wf", "executions/run-7/etl/output.json")] = '{"id": 1}\n\n{"id": 2}\n'

        self.run_job()

        out = self.store.objects[("wf", "executions/run-7/normalize/output.json")]
        self.assertEqual(out, '{"id":1}\n{"id":2}\n')


if __name__ == "__main__":
    unittest.main()
