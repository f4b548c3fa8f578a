#!/usr/bin/env python3
"""An activity worker, as users write them with boto3: polls GetActivityTask, heartbeats, and
answers each task. Used by activities_e2e_test.py as a separate process.

Usage: activity_worker.py ENDPOINT ACTIVITY_ARN WORKER_NAME TASKS

Handles TASKS tasks, then exits 0. A task whose input has "approve": true succeeds with
{"approvedBy": WORKER_NAME, "request": INPUT}; otherwise it fails with error "Rejected".
"""
import json
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, activity_arn, worker_name, tasks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(read_timeout=70, retries={"max_attempts": 1}))
    handled = 0
    while handled < tasks:
        task = client.get_activity_task(activityArn=activity_arn, workerName=worker_name)
        token = task.get("taskToken")
        if not token:
            continue  # the long poll ended without a task: poll again
        request = json.loads(task["input"])
        client.send_task_heartbeat(taskToken=token)  # "still working"
        if request.get("approve"):
            client.send_task_success(taskToken=token, output=json.dumps(
                {"approvedBy": worker_name, "request": request}))
        else:
            client.send_task_failure(taskToken=token, error="Rejected",
                                     cause=f"{worker_name} rejected {request.get('id')}")
        handled += 1
    print(f"{worker_name} handled {handled} tasks", flush=True)


if __name__ == "__main__":
    main()
