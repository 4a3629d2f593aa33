"""Unit tests of the Glue job's plain-Python transform (python3 -m unittest, no Spark)."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "src", "workflow", "glue", "lib"))

from workflow_transform import (  # noqa: E402
    TransformError,
    check_io_arguments,
    normalize_record,
    parse_line,
    parse_required_fields,
    stage_output_key,
    transform_lines,
)

ARGS = {
    "execution-id": "run-1",
    "input-bucket": "bucket",
    "input-key": "executions/run-1/etl/output.json",
    "output-bucket": "bucket",
    "output-key": "executions/run-1/clean/output.json",
}


class StageOutputKeyTest(unittest.TestCase):
    def test_follows_the_path_convention(self):
        self.assertEqual(stage_output_key("run-1", "clean"), "executions/run-1/clean/output.json")

    def test_rejects_a_segment_with_a_slash_or_empty(self):
        with self.assertRaises(ValueError):
            stage_output_key("run/1", "clean")
        with self.assertRaises(ValueError):
            stage_output_key("run-1", "")


class CheckIoArgumentsTest(unittest.TestCase):
    def test_returns_the_five_arguments(self):
        self.assertEqual(check_io_arguments({**ARGS, "JOB_NAME": "job"}), ARGS)

    def test_names_every_missing_argument(self):
        with self.assertRaises(ValueError) as caught:
            check_io_arguments({"execution-id": "run-1"})
        self.assertIn("--input-bucket", str(caught.exception))
        self.assertIn("--output-key", str(caught.exception))

    def test_refuses_keys_outside_executions(self):
        with self.assertRaises(ValueError):
            check_io_arguments({**ARGS, "output-key": "other/output.json"})

    def test_refuses_to_overwrite_the_input(self):
        with self.assertRaises(ValueError):
            check_io_arguments({**ARGS, "output-key": ARGS["input-key"]})


class ParseLineTest(unittest.TestCase):
    def test_blank_line_has_no_records(self):
        self.assertEqual(parse_line("   \n"), [])

    def test_object_line_is_one_record(self):
        self.assertEqual(parse_line('{"a": 1}'), [{"a": 1}])

    def test_array_line_is_split_into_its_items(self):
        self.assertEqual(parse_line('[{"a": 1}, {"a": 2}]'), [{"a": 1}, {"a": 2}])

    def test_invalid_json_names_the_line(self):
        with self.assertRaises(TransformError) as caught:
            parse_line("{oops", 7)
        self.assertIn("line 7", str(caught.exception))

    def test_non_object_record_is_refused(self):
        with self.assertRaises(TransformError):
            parse_line("[1, 2]", 2)


class NormalizeRecordTest(unittest.TestCase):
    def test_trims_strings_and_keys_and_drops_nulls(self):
        self.assertEqual(
            normalize_record({" name ": "  Ada ", "age": 36, "note": None}),
            {"name": "Ada", "age": 36},
        )

    def test_drops_a_record_missing_a_required_field(self):
        self.assertIsNone(normalize_record({"name": "  "}, ("name",)))
        self.assertIsNone(normalize_record({"age": 1}, ("name",)))
        self.assertEqual(normalize_record({"name": "x"}, ("name",)), {"name": "x"})


class TransformLinesTest(unittest.TestCase):
    def test_json_lines_in_json_lines_out(self):
        lines = ['{"id": "1", "name": " a "}', "", '{"id": "2", "name": null}', '[{"id": "3"}]']
        out = list(transform_lines(lines, ("id",)))
        self.assertEqual([json.loads(line) for line in out], [
            {"id": "1", "name": "a"},
            {"id": "2"},
            {"id": "3"},
        ])

    def test_is_lazy(self):
        def lines():
            yield '{"id": "1"}'
            raise AssertionError("read past the first record")

        self.assertEqual(next(transform_lines(lines())), '{"id":"1"}')

    def test_keeps_the_order_and_drops_invalid_records(self):
        lines = [json.dumps({"id": str(i), "v": i if i % 2 else None}) for i in range(6)]
        out = [json.loads(line) for line in transform_lines(lines, ("v",))]
        self.assertEqual([record["id"] for record in out], ["1", "3", "5"])


class ParseRequiredFieldsTest(unittest.TestCase):
    def test_splits_and_trims(self):
        self.assertEqual(parse_required_fields(" a, b ,,c"), ("a", "b", "c"))

    def test_empty_is_none(self):
        self.assertEqual(parse_required_fields(None), ())
        self.assertEqual(parse_required_fields(""), ())


if __name__ == "__main__":
    unittest.main()
