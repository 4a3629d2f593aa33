"""Order importer: reads order files from S3 and writes them to DynamoDB.

boto3 ships with the Lambda Python runtime, so requirements.txt is not needed.
"""

import json
import os

import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    bucket = os.environ["BUCKET_NAME"]
    key = event["key"]
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    orders = json.loads(body)
    with table.batch_writer() as batch:
        for order in orders:
            batch.put_item(Item=order)
    return {"imported": len(orders), "source": f"s3://{bucket}/{key}"}
