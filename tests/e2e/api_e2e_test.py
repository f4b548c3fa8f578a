#!/usr/bin/env python3
"""End-to-end tests of `flowstate serve` through the AWS CLI, boto3 and raw AWS JSON 1.0.

Usage: api_e2e_test.py PATH/TO/flowstate

Starts the server on a free port, runs every Step Functions operation Flowstate serves and the
bad-input cases (each must get AWS's error shape, and the server must keep serving), then stops
the server. Standard library + boto3 + the `aws` command. No timing asserts: waits only have
generous hang-guard deadlines.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

FLOWSTATE = None
SERVER = None
SERVER_LOG = None
DATA_DIR = None
PORT = None
ENDPOINT = None
HANG_GUARD_S = 60
ROLE = "arn:aws:iam::123456789012:role/flowstate-e2e"
SM_PREFIX = "arn:aws:states:us-east-1:123456789012:stateMachine:"
EX_PREFIX = "arn:aws:states:us-east-1:123456789012:execution:"

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True},
                                          "ResultPath": "$.r", "End": True}}}
WAIT_LONG = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
CHAIN = {"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "B"},
    "B": {"Type": "Pass", "Next": "C"},
    "C": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "on purpose"}}}

CLIENT_ENV = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                  AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_MAX_ATTEMPTS="1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok():
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/health", timeout=5) as response:
            return response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    except OSError:
        return False


def setUpModule():  # noqa: N802
    global SERVER, PORT, ENDPOINT
    PORT = free_port()
    ENDPOINT = f"http://127.0.0.1:{PORT}"
    global SERVER_LOG
    SERVER_LOG = tempfile.TemporaryFile()
    global DATA_DIR
    DATA_DIR = tempfile.mkdtemp(prefix="flowstate-e2e-")
    SERVER = subprocess.Popen([FLOWSTATE, "serve", "--host", "127.0.0.1", "--port", str(PORT),
                               "--data", DATA_DIR],
                              stdout=SERVER_LOG, stderr=subprocess.STDOUT)
    deadline = time.time() + HANG_GUARD_S
    while not health_ok():
        if SERVER.poll() is not None or time.time() > deadline:
            SERVER_LOG.seek(0)
            raise RuntimeError("flowstate serve did not come up: " + SERVER_LOG.read().decode())
        time.sleep(0.05)


def tearDownModule():  # noqa: N802
    SERVER.terminate()
    try:
        status = SERVER.wait(timeout=HANG_GUARD_S)
        SERVER_LOG.seek(0)
        log = SERVER_LOG.read().decode(errors="replace")
        # A clean shutdown exits 0; a crash or a sanitizer report at exit does not.
        if status != 0:
            raise RuntimeError(f"flowstate serve exited with status {status}:\n{log}")
    except subprocess.TimeoutExpired:
        SERVER.kill()
        raise
    finally:
        SERVER_LOG.close()
        shutil.rmtree(DATA_DIR, ignore_errors=True)


def sfn():
    return boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def aws(*args, env=None):
    """Runs `aws stepfunctions ARGS`; returns (exit status, parsed stdout or None, stderr)."""
    result = subprocess.run(["aws", "stepfunctions", "--endpoint-url", ENDPOINT, "--output", "json",
                             *args], capture_output=True, text=True, env=env or CLIENT_ENV,
                            timeout=HANG_GUARD_S)
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.returncode, out, result.stderr


def raw(operation, body, target_prefix="AWSStepFunctions."):
    """Sends a raw AWS JSON 1.0 request; returns (HTTP status, parsed body)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=HANG_GUARD_S)
    payload = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if operation is not None:
        headers["X-Amz-Target"] = target_prefix + operation
    conn.request("POST", "/", body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def error_code(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call succeeded")


def unique(name):
    unique.counter += 1
    return f"{name}-{os.getpid()}-{unique.counter}"


unique.counter = 0


def create(client, definition, name=None, type_="STANDARD"):
    return client.create_state_machine(name=name or unique("sm"), definition=json.dumps(definition),
                                       roleArn=ROLE, type=type_)["stateMachineArn"]


def wait_for_end(client, execution_arn):
    deadline = time.time() + HANG_GUARD_S
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.time() > deadline:
            raise AssertionError(f"{execution_arn} still RUNNING after {HANG_GUARD_S}s")
        time.sleep(0.02)


class ServerTestCase(unittest.TestCase):
    def tearDown(self):
        self.assertTrue(health_ok(), "the server stopped serving")


class AwsCliTest(ServerTestCase):
    def test_state_machine_lifecycle(self):
        name = unique("cli")
        rc, created, err = aws("create-state-machine", "--name", name, "--definition",
                               json.dumps(PASS), "--role-arn", ROLE)
        self.assertEqual(rc, 0, err)
        arn = created["stateMachineArn"]
        self.assertEqual(arn, SM_PREFIX + name)
        self.assertIsInstance(created["creationDate"], (int, float))

        rc, described, err = aws("describe-state-machine", "--state-machine-arn", arn)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(described["definition"]), PASS)
        self.assertEqual(described["type"], "STANDARD")
        self.assertEqual(described["roleArn"], ROLE)

        rc, listed, err = aws("list-state-machines")
        self.assertEqual(rc, 0, err)
        self.assertIn(arn, [m["stateMachineArn"] for m in listed["stateMachines"]])

        rc, updated, err = aws("update-state-machine", "--state-machine-arn", arn, "--definition",
                               json.dumps(CHAIN))
        self.assertEqual(rc, 0, err)
        self.assertIn("updateDate", updated)
        rc, described, err = aws("describe-state-machine", "--state-machine-arn", arn)
        self.assertEqual(json.loads(described["definition"]), CHAIN)

        rc, _, err = aws("delete-state-machine", "--state-machine-arn", arn)
        self.assertEqual(rc, 0, err)
        rc, _, err = aws("describe-state-machine", "--state-machine-arn", arn)
        self.assertNotEqual(rc, 0)
        self.assertIn("StateMachineDoesNotExist", err)

    def test_execution_flow(self):
        rc, created, err = aws("create-state-machine", "--name", unique("cli"), "--definition",
                               json.dumps(CHAIN), "--role-arn", ROLE)
        self.assertEqual(rc, 0, err)
        arn = created["stateMachineArn"]
        rc, started, err = aws("start-execution", "--state-machine-arn", arn, "--name", "run1",
                               "--input", '{"x": 1}')
        self.assertEqual(rc, 0, err)
        execution = started["executionArn"]
        self.assertTrue(execution.endswith(":run1"))
        described = wait_for_end(sfn(), execution)
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"]), {"x": 1})

        rc, history, err = aws("get-execution-history", "--execution-arn", execution)
        self.assertEqual(rc, 0, err)
        types = [e["type"] for e in history["events"]]
        self.assertEqual(types[0], "ExecutionStarted")
        self.assertEqual(types[-1], "ExecutionSucceeded")
        self.assertEqual([e["id"] for e in history["events"]], list(range(1, len(types) + 1)))

        rc, listed, err = aws("list-executions", "--state-machine-arn", arn, "--status-filter",
                              "SUCCEEDED")
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["executionArn"] for e in listed["executions"]], [execution])

        rc, for_execution, err = aws("describe-state-machine-for-execution", "--execution-arn",
                                     execution)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(for_execution["definition"]), CHAIN)

    def test_validate_state_machine_definition(self):
        rc, result, err = aws("validate-state-machine-definition", "--definition",
                              '{"StartAt": "A"}')
        self.assertEqual(rc, 0, err)
        self.assertEqual(result["result"], "FAIL")
        self.assertEqual(result["diagnostics"][0]["code"], "SCHEMA_VALIDATION_FAILED")
        rc, result, err = aws("validate-state-machine-definition", "--definition", json.dumps(PASS))
        self.assertEqual(result["result"], "OK")

    def test_start_sync_execution_without_host_prefix(self):
        client = sfn()
        arn = create(client, PASS, type_="EXPRESS")
        env = dict(CLIENT_ENV, AWS_DISABLE_HOST_PREFIX_INJECTION="true")
        rc, result, err = aws("start-sync-execution", "--state-machine-arn", arn, "--input",
                              '{"a": 1}', env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(result["status"], "SUCCEEDED")
        self.assertEqual(json.loads(result["output"]), {"a": 1, "r": {"ok": True}})


class Boto3Test(ServerTestCase):
    def test_start_sync_execution(self):
        client = sfn()
        arn = create(client, PASS, type_="EXPRESS")
        result = client.start_sync_execution(stateMachineArn=arn, name="sync1", input='{"b": 2}')
        self.assertEqual(result["status"], "SUCCEEDED")
        self.assertEqual(json.loads(result["output"]), {"b": 2, "r": {"ok": True}})
        self.assertIn(":express:", result["executionArn"])
        self.assertIn("billingDetails", result)

        failing = create(client, FAIL, type_="EXPRESS")
        result = client.start_sync_execution(stateMachineArn=failing)
        self.assertEqual(result["status"], "FAILED")
        self.assertEqual(result["error"], "Oops")
        self.assertEqual(result["cause"], "on purpose")

        standard = create(client, PASS)
        self.assertEqual(error_code(client.start_sync_execution, stateMachineArn=standard)[0],
                         "StateMachineTypeNotSupported")

    def test_variable_references(self):
        client = sfn()
        definition = {
            "StartAt": "Setup",
            "States": {
                "Setup": {"Type": "Pass", "Assign": {"count": 1, "items": [1, 2]}, "Next": "Use"},
                "Use": {"Type": "Pass", "QueryLanguage": "JSONata",
                        "Output": "{% $sum($items) + $count + $states.input.n %}", "Next": "Old"},
                "Old": {"Type": "Pass",
                        "Parameters": {"c.$": "$count", "i.$": "States.ArrayLength($items)"},
                        "End": True}}}
        arn = create(client, definition)
        expected = {"Use": ["count", "items"], "Old": ["count", "items"]}
        self.assertEqual(client.describe_state_machine(stateMachineArn=arn)["variableReferences"],
                         expected)
        execution = client.start_execution(stateMachineArn=arn, input='{"n": 2}')["executionArn"]
        self.assertEqual(wait_for_end(client, execution)["status"], "SUCCEEDED")
        described = client.describe_state_machine_for_execution(executionArn=execution)
        self.assertEqual(described["variableReferences"], expected)
        # A machine that reads no variable has no variableReferences member at all.
        self.assertNotIn("variableReferences",
                         client.describe_state_machine(stateMachineArn=create(client, PASS)))

    def test_express_start_execution_is_async(self):
        client = sfn()
        arn = create(client, PASS, type_="EXPRESS")
        started = client.start_execution(stateMachineArn=arn, name="x")
        self.assertTrue(started["executionArn"].startswith(
            "arn:aws:states:us-east-1:123456789012:express:"))

    def test_logging_configuration(self):
        client = sfn()
        group = ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/"
                 f"e2e-{os.getpid()}:*")
        log_path = os.path.join(DATA_DIR, "execution-logs",
                                f"_aws_vendedlogs_states_e2e-{os.getpid()}.log")
        destinations = [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}]

        def records_of(execution_arn, count):
            deadline = time.time() + HANG_GUARD_S
            while True:
                found = []
                if os.path.exists(log_path):
                    with open(log_path) as log:
                        found = [r for r in map(json.loads, log) if r["execution_arn"] == execution_arn]
                if len(found) >= count or time.time() > deadline:
                    return found
                time.sleep(0.02)

        # ALL with data, Express: every event, in order, with AWS's record fields.
        logged = client.create_state_machine(
            name=unique("logged"), definition=json.dumps(CHAIN), roleArn=ROLE, type="EXPRESS",
            loggingConfiguration={"level": "ALL", "includeExecutionData": True,
                                  "destinations": destinations})["stateMachineArn"]
        described = client.describe_state_machine(stateMachineArn=logged)["loggingConfiguration"]
        self.assertEqual(described["level"], "ALL")
        self.assertEqual(described["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"], group)
        result = client.start_sync_execution(stateMachineArn=logged, input='{"k": 1}')
        records = records_of(result["executionArn"], 8)
        self.assertEqual([r["type"] for r in records],
                         ["ExecutionStarted"] + ["PassStateEntered", "PassStateExited"] * 3 +
                         ["ExecutionSucceeded"])
        self.assertEqual([r["id"] for r in records], [str(i) for i in range(1, 9)])
        self.assertEqual(json.loads(records[0]["details"]["input"]), {"k": 1})
        self.assertEqual(records[0]["redrive_count"], "0")
        self.assertTrue(records[0]["event_timestamp"].isdigit())

        # ERROR without data, Standard: only the failure's events, with no payloads.
        failing = client.create_state_machine(
            name=unique("logged-fail"), definition=json.dumps(FAIL), roleArn=ROLE,
            loggingConfiguration={"level": "ERROR", "includeExecutionData": False,
                                  "destinations": destinations})["stateMachineArn"]
        execution = client.start_execution(stateMachineArn=failing, input='{"secret": 1}')
        wait_for_end(client, execution["executionArn"])
        records = records_of(execution["executionArn"], 2)
        self.assertEqual([r["type"] for r in records], ["FailStateEntered", "ExecutionFailed"])
        self.assertNotIn("input", records[0]["details"])
        self.assertEqual(records[1]["details"]["error"], "Oops")

        # What AWS refuses, on create and on update.
        for bad, code in [({"level": "ALL"}, "InvalidLoggingConfiguration"),
                          ({"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {
                              "logGroupArn": group[:-2]}}]}, "InvalidLoggingConfiguration"),
                          ({"level": "LOUD"}, "ValidationException")]:
            self.assertEqual(error_code(client.create_state_machine, name=unique("badlog"),
                                        definition=json.dumps(PASS), roleArn=ROLE,
                                        loggingConfiguration=bad)[0], code)
            self.assertEqual(error_code(client.update_state_machine, stateMachineArn=failing,
                                        loggingConfiguration=bad)[0], code)

    def test_stop_execution(self):
        client = sfn()
        arn = create(client, WAIT_LONG)
        execution = client.start_execution(stateMachineArn=arn)["executionArn"]
        self.assertEqual(client.describe_execution(executionArn=execution)["status"], "RUNNING")
        stopped = client.stop_execution(executionArn=execution, error="Halt", cause="test")
        self.assertIn("stopDate", stopped)
        described = wait_for_end(client, execution)
        self.assertEqual(described["status"], "ABORTED")
        self.assertEqual(described["error"], "Halt")
        events = client.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
        self.assertEqual(events[0]["type"], "ExecutionAborted")
        self.assertEqual(events[0]["executionAbortedEventDetails"]["error"], "Halt")
        running = client.list_executions(stateMachineArn=arn, statusFilter="RUNNING")
        self.assertEqual(running["executions"], [])

    def test_history_pagination(self):
        client = sfn()
        arn = create(client, CHAIN)
        execution = client.start_execution(stateMachineArn=arn, input='{"big": "data"}')["executionArn"]
        wait_for_end(client, execution)
        everything = client.get_execution_history(executionArn=execution)["events"]
        self.assertGreater(len(everything), 4)
        pages, token = [], None
        while True:
            kwargs = {"executionArn": execution, "maxResults": 2}
            if token:
                kwargs["nextToken"] = token
            page = client.get_execution_history(**kwargs)
            pages.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual([e["id"] for e in pages], [e["id"] for e in everything])
        reverse = client.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
        self.assertEqual([e["id"] for e in reverse], [e["id"] for e in everything][::-1])
        bare = client.get_execution_history(executionArn=execution, includeExecutionData=False)
        self.assertNotIn("input", bare["events"][0]["executionStartedEventDetails"])
        paginator = client.get_paginator("get_execution_history")
        paged = [e for p in paginator.paginate(executionArn=execution,
                                               PaginationConfig={"PageSize": 3}) for e in p["events"]]
        self.assertEqual(len(paged), len(everything))

    def test_list_executions_pagination(self):
        client = sfn()
        arn = create(client, PASS)
        arns = [client.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"]
                for i in range(5)]
        for execution in arns:
            wait_for_end(client, execution)
        paginator = client.get_paginator("list_executions")
        listed = [e["executionArn"] for p in paginator.paginate(
            stateMachineArn=arn, PaginationConfig={"PageSize": 2}) for e in p["executions"]]
        self.assertEqual(listed, arns[::-1])
        self.assertEqual(error_code(client.list_executions, stateMachineArn=arn,
                                    nextToken="bm90IGEgdG9rZW4=")[0], "InvalidToken")

    def test_idempotency(self):
        client = sfn()
        name = unique("idem")
        first = client.create_state_machine(name=name, definition=json.dumps(WAIT_LONG), roleArn=ROLE)
        again = client.create_state_machine(name=name, definition=json.dumps(WAIT_LONG), roleArn=ROLE)
        self.assertEqual(first["stateMachineArn"], again["stateMachineArn"])
        self.assertEqual(error_code(client.create_state_machine, name=name,
                                    definition=json.dumps(PASS), roleArn=ROLE)[0],
                         "StateMachineAlreadyExists")
        arn = first["stateMachineArn"]
        one = client.start_execution(stateMachineArn=arn, name="same", input="{}")
        two = client.start_execution(stateMachineArn=arn, name="same", input="{}")
        self.assertEqual(one["executionArn"], two["executionArn"])
        self.assertEqual(error_code(client.start_execution, stateMachineArn=arn, name="same",
                                    input='{"other": 1}')[0], "ExecutionAlreadyExists")
        client.stop_execution(executionArn=one["executionArn"])


class BadInputTest(ServerTestCase):
    def test_malformed_json(self):
        status, body = raw("ListStateMachines", b"{this is not json")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "SerializationException")
        self.assertIn("message", body)

    def test_unknown_operation(self):
        status, body = raw("DoSomethingElse", {})
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        status, body = raw(None, {})
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))

    def test_missing_and_wrong_typed_fields(self):
        status, body = raw("CreateStateMachine", {"definition": json.dumps(PASS), "roleArn": ROLE})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertIn("name", body["message"])
        status, body = raw("CreateStateMachine", {"name": ["x"], "definition": json.dumps(PASS),
                                                  "roleArn": ROLE})
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        status, body = raw("DescribeExecution", {})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        status, body = raw("GetExecutionHistory", {"executionArn": EX_PREFIX + "a:b",
                                                   "maxResults": "ten"})
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))

    def test_invalid_definition(self):
        code, status = error_code(sfn().create_state_machine, name=unique("bad"),
                                  definition='{"StartAt": "Nowhere", "States": {}}', roleArn=ROLE)
        self.assertEqual((code, status), ("InvalidDefinition", 400))
        status, body = raw("CreateStateMachine", {"name": unique("bad"), "definition": "{nope",
                                                  "roleArn": ROLE})
        self.assertEqual(body["__type"], "InvalidDefinition")
        self.assertTrue(body["message"].startswith("Invalid State Machine Definition: '"))

    def test_input_over_256_kib(self):
        client = sfn()
        arn = create(client, PASS)
        big = json.dumps({"blob": "x" * (300 * 1024)})
        code, status = error_code(client.start_execution, stateMachineArn=arn, input=big)
        self.assertEqual(status, 400)
        self.assertIn(code, ("ValidationException", "InvalidExecutionInput"))
        self.assertEqual(error_code(client.start_execution, stateMachineArn=arn, input="{oops")[0],
                         "InvalidExecutionInput")

    def test_request_over_body_limit(self):
        status, body = raw("StartExecution", {"stateMachineArn": SM_PREFIX + "x",
                                              "input": "x" * (2 * 1024 * 1024)})
        self.assertEqual(status, 413)
        self.assertIn("__type", body)

    def test_unknown_and_malformed_arns(self):
        client = sfn()
        self.assertEqual(error_code(client.describe_state_machine,
                                    stateMachineArn=SM_PREFIX + "ghost")[0],
                         "StateMachineDoesNotExist")
        self.assertEqual(error_code(client.describe_execution,
                                    executionArn=EX_PREFIX + "ghost:run")[0],
                         "ExecutionDoesNotExist")
        self.assertEqual(error_code(client.get_execution_history,
                                    executionArn=EX_PREFIX + "ghost:run")[0],
                         "ExecutionDoesNotExist")
        self.assertEqual(error_code(client.stop_execution, executionArn=EX_PREFIX + "ghost:run")[0],
                         "ExecutionDoesNotExist")
        self.assertEqual(error_code(client.start_execution,
                                    stateMachineArn=SM_PREFIX + "ghost")[0],
                         "StateMachineDoesNotExist")
        self.assertEqual(error_code(client.describe_state_machine, stateMachineArn="not-an-arn")[0],
                         "InvalidArn")
        self.assertEqual(error_code(client.describe_execution,
                                    executionArn=SM_PREFIX + "wrong-kind")[0], "InvalidArn")

    def test_invalid_names(self):
        client = sfn()
        self.assertEqual(error_code(client.create_state_machine, name="bad name",
                                    definition=json.dumps(PASS), roleArn=ROLE)[0], "InvalidName")
        arn = create(client, PASS)
        self.assertEqual(error_code(client.start_execution, stateMachineArn=arn, name="a/b")[0],
                         "InvalidName")

    def test_update_without_changes(self):
        client = sfn()
        arn = create(client, PASS)
        self.assertEqual(error_code(client.update_state_machine, stateMachineArn=arn)[0],
                         "MissingRequiredParameter")

    def test_health_and_unknown_paths(self):
        self.assertTrue(health_ok())
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=HANG_GUARD_S)
        conn.request("GET", "/nope")
        response = conn.getresponse()
        self.assertEqual(response.status, 404)
        self.assertIn("__type", json.loads(response.read()))
        conn.close()


class CliRunTest(unittest.TestCase):
    """`flowstate run`: one in-memory execution, output on stdout, errors on stderr."""

    def run_definition(self, definition, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(definition, f)
        try:
            return subprocess.run([FLOWSTATE, "run", f.name, *args], capture_output=True,
                                  text=True, timeout=HANG_GUARD_S)
        finally:
            os.unlink(f.name)

    def test_output_and_failure(self):
        done = self.run_definition(PASS, "--input", '{"b": 2}')
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout), {"b": 2, "r": {"ok": True}})
        failed = self.run_definition(FAIL)
        self.assertEqual(failed.returncode, 1)
        self.assertIn("Oops", failed.stderr)
        self.assertIn("on purpose", failed.stderr)
        bad_input = self.run_definition(PASS, "--input", "{nope")
        self.assertEqual(bad_input.returncode, 2)
        self.assertIn("not valid JSON", bad_input.stderr)

    def test_what_nothing_could_answer_is_refused_not_awaited(self):
        for resource in ["arn:aws:states:us-east-1:123456789012:activity:approve",
                         "arn:aws:states:::lambda:invoke.waitForTaskToken"]:
            definition = {"StartAt": "T", "States": {"T": {
                "Type": "Task", "Resource": resource, "End": True,
                "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}}}}}
            if "activity" in resource:
                del definition["States"]["T"]["Parameters"]
            refused = self.run_definition(definition)
            self.assertEqual(refused.returncode, 2, refused.stderr)
            self.assertIn("flowstate serve", refused.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: api_e2e_test.py PATH/TO/flowstate")
    FLOWSTATE = sys.argv.pop(1)
    if shutil.which("aws") is None:
        sys.exit("the `aws` command is required")
    unittest.main(verbosity=2)
