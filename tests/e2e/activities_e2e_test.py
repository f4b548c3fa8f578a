#!/usr/bin/env python3
"""End-to-end tests of activities and task tokens through `flowstate serve`: the activity
operations with the AWS CLI and boto3, a boto3 activity worker in a second process, human
approval (lambda:invoke.waitForTaskToken and an activity) approved and rejected, heartbeats and
timeouts, AWS's errors for forged, finished and timed-out tokens, GetActivityTask long polls
(empty answer after 60 s, 1,000 parked pollers). Hang guards only, no timing assertions.

Usage: activities_e2e_test.py PATH/TO/flowstate
"""
import http.client
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowstate_server import (HANG_GUARD_S, ROLE, FlowstateServer, LambdaEndpoint,  # noqa: E402
                              error_code, history_types, wait_for_status)

FLOWSTATE = None
SERVER = None
LAMBDA = None
NOTIFIED = queue.Queue()  # payloads the "notify" function received (they carry the tokens)
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activity_worker.py")


def notify(payload):
    NOTIFIED.put(payload)
    return {"notified": payload.get("approver")}


def setUpModule():  # noqa: N802
    global SERVER, LAMBDA
    LAMBDA = LambdaEndpoint({"notify": notify})
    SERVER = FlowstateServer(FLOWSTATE, "--lambda-endpoint", LAMBDA.url)


def tearDownModule():  # noqa: N802
    try:
        SERVER.stop()
    finally:
        LAMBDA.close()


def unique(name):
    unique.counter += 1
    return f"{name}-{os.getpid()}-{unique.counter}"


unique.counter = 0


def create_machine(client, definition):
    return client.create_state_machine(name=unique("sm"), definition=json.dumps(definition),
                                       roleArn=ROLE)["stateMachineArn"]


def approval_machine(activity_arn):
    """Human approval: notify an approver through Lambda and wait for their answer (the token
    travels in the payload), then a second sign-off by an activity worker."""
    return {
        "StartAt": "AskApprover",
        "States": {
            "AskApprover": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "notify",
                               "Payload": {"token.$": "$$.Task.Token", "approver": "ann",
                                           "request.$": "$"}},
                "TimeoutSeconds": 300, "HeartbeatSeconds": 120,
                "ResultPath": "$.decision",
                "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.rejection",
                           "Next": "Rejected"}],
                "Next": "SignOff"},
            "SignOff": {"Type": "Task", "Resource": activity_arn, "TimeoutSeconds": 300,
                        "HeartbeatSeconds": 60, "ResultPath": "$.signOff", "End": True},
            "Rejected": {"Type": "Fail", "Error": "RequestRejected",
                         "Cause": "the approver said no"},
        },
    }


class ActivityOperationsTest(unittest.TestCase):
    def test_cli_create_describe_list_delete(self):
        name = unique("cli-activity")
        status, created, err = SERVER.aws("create-activity", "--name", name)
        self.assertEqual(status, 0, err)
        arn = created["activityArn"]
        self.assertEqual(arn, f"arn:aws:states:us-east-1:123456789012:activity:{name}")
        status, again, err = SERVER.aws("create-activity", "--name", name)
        self.assertEqual((status, again["activityArn"], again["creationDate"]),
                         (0, arn, created["creationDate"]))  # idempotent on the name
        status, described, err = SERVER.aws("describe-activity", "--activity-arn", arn)
        self.assertEqual((status, described["name"], described["activityArn"]), (0, name, arn))
        status, listed, err = SERVER.aws("list-activities")
        self.assertEqual(status, 0, err)
        self.assertIn(arn, [a["activityArn"] for a in listed["activities"]])
        status, _, err = SERVER.aws("delete-activity", "--activity-arn", arn)
        self.assertEqual(status, 0, err)
        status, _, err = SERVER.aws("describe-activity", "--activity-arn", arn)
        self.assertNotEqual(status, 0)
        self.assertIn("ActivityDoesNotExist", err)

    def test_boto3_list_pages(self):
        client = SERVER.client()
        arns = {client.create_activity(name=unique("paged"))["activityArn"] for _ in range(5)}
        seen, token = [], None
        while True:
            page = client.list_activities(maxResults=2, **({"nextToken": token} if token else {}))
            self.assertLessEqual(len(page["activities"]), 2)
            seen += [a["activityArn"] for a in page["activities"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertTrue(arns <= set(seen))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(error_code(client.list_activities, nextToken="bogus"), "InvalidToken")

    def test_bad_requests_get_aws_errors(self):
        client = SERVER.client()
        self.assertEqual(error_code(client.create_activity, name="bad name"), "InvalidName")
        self.assertEqual(error_code(client.create_activity, name="x" * 81), "ValidationException")
        self.assertEqual(error_code(client.describe_activity, activityArn="nope"), "InvalidArn")
        missing = "arn:aws:states:us-east-1:123456789012:activity:" + unique("missing")
        self.assertEqual(error_code(client.describe_activity, activityArn=missing),
                         "ActivityDoesNotExist")
        self.assertEqual(error_code(client.get_activity_task, activityArn=missing),
                         "ActivityDoesNotExist")
        self.assertEqual(error_code(client.get_activity_task,
                                    activityArn="arn:aws:states:us-east-1:1:stateMachine:x"),
                         "InvalidArn")
        status, body = SERVER.raw("SendTaskSuccess", {"output": "{}"})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertEqual(error_code(client.send_task_success, taskToken="forged", output="{}"),
                         "InvalidToken")
        self.assertEqual(error_code(client.send_task_success, taskToken="x", output="not json"),
                         "InvalidOutput")
        self.assertEqual(error_code(client.send_task_failure, taskToken="forged"), "InvalidToken")
        self.assertEqual(error_code(client.send_task_heartbeat, taskToken="forged"),
                         "InvalidToken")
        self.assertEqual(error_code(client.send_task_failure, taskToken="t", error="e" * 257),
                         "ValidationException")


class WorkerProcessTest(unittest.TestCase):
    def test_boto3_worker_in_a_second_process_approves_and_rejects(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("review"))["activityArn"]
        machine = create_machine(client, {
            "StartAt": "Review",
            "States": {
                "Review": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 60,
                           "TimeoutSeconds": 600,
                           "Catch": [{"ErrorEquals": ["Rejected"], "Next": "Declined"}],
                           "End": True},
                "Declined": {"Type": "Pass", "Result": "declined", "End": True}}})
        worker = subprocess.Popen([sys.executable, WORKER, SERVER.endpoint, activity, "worker-a",
                                   "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        try:
            yes = client.start_execution(stateMachineArn=machine,
                                         input=json.dumps({"id": 1, "approve": True}))
            no = client.start_execution(stateMachineArn=machine,
                                        input=json.dumps({"id": 2, "approve": False}))
            done_yes = wait_for_status(client, yes["executionArn"])
            done_no = wait_for_status(client, no["executionArn"])
            out, err = worker.communicate(timeout=HANG_GUARD_S)
        finally:
            if worker.poll() is None:
                worker.kill()
        self.assertEqual(worker.returncode, 0, err)
        self.assertIn("worker-a handled 2 tasks", out)
        self.assertEqual(done_yes["status"], "SUCCEEDED")
        self.assertEqual(json.loads(done_yes["output"]),
                         {"approvedBy": "worker-a", "request": {"id": 1, "approve": True}})
        self.assertEqual(done_no["status"], "SUCCEEDED")
        self.assertEqual(json.loads(done_no["output"]), "declined")
        events = client.get_execution_history(executionArn=yes["executionArn"])["events"]
        self.assertEqual([e["type"] for e in events],
                         ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                          "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                          "ExecutionSucceeded"])
        scheduled = events[2]["activityScheduledEventDetails"]
        self.assertEqual((scheduled["resource"], scheduled["heartbeatInSeconds"],
                          scheduled["timeoutInSeconds"]), (activity, 60, 600))
        self.assertEqual(events[3]["activityStartedEventDetails"], {"workerName": "worker-a"})
        failed = [e for e in client.get_execution_history(executionArn=no["executionArn"])[
            "events"] if e["type"] == "ActivityFailed"]
        self.assertEqual(failed[0]["activityFailedEventDetails"],
                         {"error": "Rejected", "cause": "worker-a rejected 2"})


class HumanApprovalTest(unittest.TestCase):
    def run_approval(self, approve_with_cli):
        client = SERVER.client()
        activity = client.create_activity(name=unique("sign-off"))["activityArn"]
        machine = create_machine(client, approval_machine(activity))
        started = client.start_execution(stateMachineArn=machine,
                                         input=json.dumps({"item": "laptop", "approve": True}))
        payload = NOTIFIED.get(timeout=HANG_GUARD_S)
        self.assertEqual(payload["request"], {"item": "laptop", "approve": True})
        token = payload["token"]
        self.assertGreaterEqual(len(token), 22)  # >= 128 random bits
        # The execution waits on the token: TaskSubmitted recorded, still RUNNING.
        deadline = time.time() + HANG_GUARD_S
        while "TaskSubmitted" not in history_types(client, started["executionArn"]):
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        self.assertEqual(client.describe_execution(
            executionArn=started["executionArn"])["status"], "RUNNING")
        self.assertIsNone(SERVER.aws("send-task-heartbeat", "--task-token", token)[1])
        if approve_with_cli:
            status, _, err = SERVER.aws("send-task-success", "--task-token", token,
                                        "--task-output", json.dumps({"approved": True}))
            self.assertEqual(status, 0, err)
        else:
            status, _, err = SERVER.aws("send-task-failure", "--task-token", token, "--error",
                                        "Rejected", "--cause", "not in budget")
            self.assertEqual(status, 0, err)
        # A second answer is too late.
        self.assertEqual(error_code(client.send_task_success, taskToken=token, output="{}"),
                         "TaskDoesNotExist")
        return client, activity, started["executionArn"]

    def test_approved_then_signed_off_by_an_activity(self):
        client, activity, execution = self.run_approval(approve_with_cli=True)
        task = client.get_activity_task(activityArn=activity, workerName="clerk")
        request = json.loads(task["input"])
        self.assertEqual(request["decision"], {"approved": True})
        client.send_task_heartbeat(taskToken=task["taskToken"])
        client.send_task_success(taskToken=task["taskToken"], output=json.dumps("signed"))
        done = wait_for_status(client, execution)
        self.assertEqual(done["status"], "SUCCEEDED")
        self.assertEqual(json.loads(done["output"])["signOff"], "signed")
        self.assertEqual(history_types(client, execution), [
            "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
            "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "TaskStateEntered",
            "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
            "ExecutionSucceeded"])
        events = client.get_execution_history(executionArn=execution)["events"]
        scheduled = events[2]["taskScheduledEventDetails"]
        self.assertEqual((scheduled["resourceType"], scheduled["resource"]),
                         ("lambda", "invoke.waitForTaskToken"))
        submitted = json.loads(events[4]["taskSubmittedEventDetails"]["output"])
        self.assertEqual(submitted["Payload"], {"notified": "ann"})

    def test_rejected(self):
        client, _, execution = self.run_approval(approve_with_cli=False)
        done = wait_for_status(client, execution)
        self.assertEqual((done["status"], done["error"]), ("FAILED", "RequestRejected"))
        types = history_types(client, execution)
        self.assertIn("TaskFailed", types)
        self.assertNotIn("ActivityScheduled", types)


class TimeoutsTest(unittest.TestCase):
    def test_timed_out_token_and_execution_end(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("slow"))["activityArn"]
        machine = create_machine(client, {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": activity, "HeartbeatSeconds": 1, "End": True}}})
        started = client.start_execution(stateMachineArn=machine)
        task = client.get_activity_task(activityArn=activity, workerName="sleepy")
        done = wait_for_status(client, started["executionArn"])  # no heartbeat: times out
        self.assertEqual((done["status"], done["error"]), ("FAILED", "States.HeartbeatTimeout"))
        self.assertIn("ActivityTimedOut", history_types(client, started["executionArn"]))
        for call in (lambda: client.send_task_success(taskToken=task["taskToken"], output="{}"),
                     lambda: client.send_task_heartbeat(taskToken=task["taskToken"])):
            self.assertEqual(error_code(call), "TaskTimedOut")

    def test_stopped_execution_finishes_its_token(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("stopped"))["activityArn"]
        machine = create_machine(client, {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": activity, "End": True}}})
        started = client.start_execution(stateMachineArn=machine)
        task = client.get_activity_task(activityArn=activity, workerName="w")
        client.stop_execution(executionArn=started["executionArn"])
        self.assertEqual(wait_for_status(client, started["executionArn"])["status"], "ABORTED")
        self.assertEqual(error_code(client.send_task_success, taskToken=task["taskToken"],
                                    output="{}"), "TaskDoesNotExist")

    def test_missing_activity_fails_the_schedule(self):
        client = SERVER.client()
        missing = "arn:aws:states:us-east-1:123456789012:activity:" + unique("never-created")
        machine = create_machine(client, {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": missing, "End": True}}})
        started = client.start_execution(stateMachineArn=machine)
        done = wait_for_status(client, started["executionArn"])
        self.assertEqual(done["status"], "FAILED")
        self.assertIn("ActivityScheduleFailed", history_types(client, started["executionArn"]))


class RestartTest(unittest.TestCase):
    def test_tokens_and_activity_tasks_survive_a_restart(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("durable"))["activityArn"]
        machine = create_machine(client, approval_machine(activity))
        started = client.start_execution(stateMachineArn=machine,
                                         input=json.dumps({"item": "desk"}))
        token = NOTIFIED.get(timeout=HANG_GUARD_S)["token"]
        deadline = time.time() + HANG_GUARD_S
        while "TaskSubmitted" not in history_types(client, started["executionArn"]):
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        SERVER.restart()
        client = SERVER.client()
        # The activity survives in the catalog, the token in the execution's snapshot.
        self.assertEqual(client.describe_activity(activityArn=activity)["activityArn"], activity)
        client.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
        deadline = time.time() + HANG_GUARD_S
        while "ActivityScheduled" not in history_types(client, started["executionArn"]):
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        SERVER.restart()  # the activity task is scheduled, nobody polled yet
        client = SERVER.client()
        task = client.get_activity_task(activityArn=activity, workerName="after-restart")
        self.assertEqual(json.loads(task["input"])["decision"], {"approved": True})
        client.send_task_success(taskToken=task["taskToken"], output=json.dumps("signed"))
        done = wait_for_status(client, started["executionArn"])
        self.assertEqual(done["status"], "SUCCEEDED")
        self.assertEqual(history_types(client, started["executionArn"]).count("TaskSubmitted"), 1)
        self.assertEqual(error_code(client.send_task_success, taskToken=task["taskToken"],
                                    output="{}"), "TaskDoesNotExist")


class LongPollTest(unittest.TestCase):
    def test_empty_poll_after_sixty_seconds_and_a_thousand_parked_pollers(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("crowded"))["activityArn"]
        body = json.dumps({"activityArn": activity, "workerName": "p"}).encode()
        request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Content-Type: application/x-amz-json-1.0\r\n"
                   f"X-Amz-Target: AWSStepFunctions.GetActivityTask\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        sockets = []
        try:
            for _ in range(1000):  # parked: the server holds no thread for any of them
                sock = socket.create_connection(("127.0.0.1", SERVER.port), timeout=HANG_GUARD_S)
                sock.sendall(request)
                sockets.append(sock)
            # The 1,001st poller is refused once the others are parked. Until the server has
            # read all 1,000, a poll may park instead (it then holds a slot itself): give each
            # try a short wait and try again.
            deadline = time.time() + HANG_GUARD_S
            while True:
                self.assertLess(time.time(), deadline)
                conn = http.client.HTTPConnection("127.0.0.1", SERVER.port, timeout=2)
                try:
                    conn.request("POST", "/", body=body, headers={
                        "Content-Type": "application/x-amz-json-1.0",
                        "X-Amz-Target": "AWSStepFunctions.GetActivityTask"})
                    response = conn.getresponse()
                    status, answer = response.status, json.loads(response.read())
                except socket.timeout:
                    continue  # parked
                finally:
                    conn.close()
                if status == 400:
                    break
            self.assertEqual(answer["__type"], "ActivityWorkerLimitExceeded")
            # Other requests are served while 1,000 polls wait.
            self.assertEqual(client.describe_activity(activityArn=activity)["activityArn"],
                             activity)
            # After 60 s every poll is answered 200 with no task.
            for sock in sockets[:3]:
                sock.settimeout(HANG_GUARD_S)
                response = http.client.HTTPResponse(sock)
                response.begin()
                self.assertEqual((response.status, response.read()), (200, b"{}"))
        finally:
            for sock in sockets:
                sock.close()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: activities_e2e_test.py PATH/TO/flowstate")
    FLOWSTATE = sys.argv.pop(1)
    if shutil.which("aws") is None:
        sys.exit("the `aws` command is required")
    unittest.main(verbosity=2)
