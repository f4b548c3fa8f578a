#!/usr/bin/env python3
"""End-to-end tests of RedriveExecution through `flowstate serve` with boto3 and the AWS CLI:
an order workflow whose payment call fails once is redriven and only the failed branch of its
Parallel runs again (checked in the history and in the calls the Lambda stand-in saw); a stopped
execution waiting on an activity is redriven and a boto3 worker finishes it; AWS's errors
(SUCCEEDED, RUNNING, Express, unknown and malformed ARNs); clientToken idempotency; redrive
after a server restart; DescribeExecution's redrive fields, ListExecutions' redriveFilter and
version/alias ARNs; late SendTaskSuccess answers on ended tokens before and after a restart; an
acknowledged redrive survives kill -9.

Usage: redrive_e2e_test.py PATH/TO/flowstate
"""
import collections
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowstate_server import (HANG_GUARD_S, ROLE, FlowstateServer,  # noqa: E402
                              FunctionError, LambdaEndpoint, error_code, wait_for_status)

FLOWSTATE = None
SERVER = None
LAMBDA = None
CALLS = collections.Counter()
FAIL_ONCE = set()  # order ids whose payment fails on its first call
LOCK = threading.Lock()


def charge(payload):
    order = payload["order"]
    with LOCK:
        CALLS["charge", order] += 1
        first = CALLS["charge", order] == 1
    if first and order in FAIL_ONCE:
        raise FunctionError("PaymentGatewayDown", f"gateway down while charging {order}")
    return {"charged": payload["amount"]}


def notify(payload):
    with LOCK:
        CALLS["notify", payload["order"]] += 1
    return {"notified": True}


def ship(payload):
    with LOCK:
        CALLS["ship", payload["order"]] += 1
    return {"shipped": payload["order"]}


def setUpModule():  # noqa: N802
    global SERVER, LAMBDA
    LAMBDA = LambdaEndpoint({"charge": charge, "notify": notify, "ship": ship})
    SERVER = FlowstateServer(FLOWSTATE, "--lambda-endpoint", LAMBDA.url)


def tearDownModule():  # noqa: N802
    SERVER.stop()
    LAMBDA.close()


def unique(name):
    unique.counter += 1
    return f"{name}-{os.getpid()}-{unique.counter}"


unique.counter = 0


def invoke(function, payload):
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": function, "Payload": payload},
            "ResultSelector": {"result.$": "$.Payload"}}


ORDER_MACHINE = json.dumps({
    "StartAt": "Reserve",
    "States": {
        "Reserve": {"Type": "Pass", "Parameters": {"order.$": "$.order", "amount.$": "$.amount",
                                                    "reserved": True}, "Next": "Settle"},
        "Settle": {"Type": "Parallel", "ResultPath": "$.settled", "Next": "Ship", "Branches": [
            {"StartAt": "Charge", "States": {"Charge": dict(invoke("charge", {
                "order.$": "$.order", "amount.$": "$.amount"}), End=True)}},
            {"StartAt": "Notify", "States": {"Notify": dict(invoke("notify", {
                "order.$": "$.order"}), End=True)}}]},
        "Ship": dict(invoke("ship", {"order.$": "$.order",
                                     "redrives.$": "$$.Execution.RedriveCount"}),
                     OutputPath="$.result", End=True),
    }})


def history(client, arn):
    return client.get_execution_history(executionArn=arn, maxResults=1000)["events"]


class RedriveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):  # noqa: N802
        cls.client = SERVER.client()
        cls.machine = cls.client.create_state_machine(
            name=unique("orders"), definition=ORDER_MACHINE, roleArn=ROLE)["stateMachineArn"]

    def start_order(self, order, fail_once=True):
        if fail_once:
            FAIL_ONCE.add(order)
        arn = self.client.start_execution(
            stateMachineArn=self.machine, name=order,
            input=json.dumps({"order": order, "amount": 42}))["executionArn"]
        return arn

    def test_only_the_failed_branch_runs_again(self):
        # The payment is an activity: its worker declines the first attempt once the
        # notification branch has succeeded (so that branch is finished, not aborted).
        activity = self.client.create_activity(name=unique("payment"))["activityArn"]
        definition = json.loads(ORDER_MACHINE)
        definition["States"]["Settle"]["Branches"][0]["States"]["Charge"] = {
            "Type": "Task", "Resource": activity,
            "Parameters": {"order.$": "$.order", "amount.$": "$.amount"}, "End": True}
        machine = self.client.create_state_machine(
            name=unique("orders-activity"), definition=json.dumps(definition),
            roleArn=ROLE)["stateMachineArn"]
        order = unique("order")
        arn = self.client.start_execution(
            stateMachineArn=machine, name=order,
            input=json.dumps({"order": order, "amount": 42}))["executionArn"]
        task = self.client.get_activity_task(activityArn=activity, workerName="payments")
        self.assertEqual(json.loads(task["input"]), {"order": order, "amount": 42})
        deadline = time.time() + HANG_GUARD_S
        while "TaskSucceeded" not in [e["type"] for e in history(self.client, arn)]:
            self.assertLess(time.time(), deadline, "the notification never succeeded")
            time.sleep(0.05)
        self.client.send_task_failure(taskToken=task["taskToken"], error="PaymentGatewayDown",
                                      cause="gateway down")
        failed = wait_for_status(self.client, arn)
        self.assertEqual(failed["status"], "FAILED")
        self.assertEqual(failed["error"], "PaymentGatewayDown")
        self.assertEqual(failed["redriveCount"], 0)
        self.assertEqual(failed["redriveStatus"], "REDRIVABLE")
        first_events = history(self.client, arn)

        redriven = self.client.redrive_execution(executionArn=arn)
        self.assertIn("redriveDate", redriven)
        task = self.client.get_activity_task(activityArn=activity, workerName="payments")
        self.client.send_task_success(taskToken=task["taskToken"], output='{"charged": 42}')
        done = wait_for_status(self.client, arn)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), {"shipped": order})
        self.assertEqual(done["redriveCount"], 1)
        self.assertEqual(done["redriveDate"], redriven["redriveDate"])
        self.assertEqual(done["redriveStatus"], "NOT_REDRIVABLE")
        self.assertEqual(done["redriveStatusReason"],
                         "Execution is SUCCEEDED and cannot be redriven")
        self.assertNotIn("error", done)
        # The notification (its branch succeeded) ran once, the shipping once.
        self.assertEqual((CALLS["notify", order], CALLS["ship", order]), (1, 1))

        events = history(self.client, arn)
        self.assertEqual(events[:len(first_events)], first_events)  # the first attempt stays
        added = events[len(first_events):]
        self.assertEqual(added[0]["type"], "ExecutionRedriven")
        self.assertEqual(added[0]["executionRedrivenEventDetails"], {"redriveCount": 1})
        self.assertEqual(added[0]["previousEventId"], first_events[-1]["id"])
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        entered = [e["stateEnteredEventDetails"]["name"] for e in added
                   if e["type"].endswith("StateEntered")]
        self.assertEqual(entered, ["Charge", "Ship"])
        self.assertEqual(sum(1 for e in events if e["type"] == "ActivityScheduled"), 2)
        types = [e["type"] for e in added]
        self.assertEqual(types.count("ParallelStateSucceeded"), 1)
        self.assertEqual(types[-1], "ExecutionSucceeded")
        ship_scheduled = [e for e in added if e["type"] == "TaskScheduled"][-1]
        self.assertEqual(json.loads(ship_scheduled["taskScheduledEventDetails"]["parameters"])
                         ["Payload"]["redrives"], 1)

    def test_errors(self):
        # SUCCEEDED.
        order = unique("order")
        arn = self.start_order(order, fail_once=False)
        self.assertEqual(wait_for_status(self.client, arn)["status"], "SUCCEEDED")
        self.assertEqual(error_code(self.client.redrive_execution, executionArn=arn),
                         "ExecutionNotRedrivable")
        status, _, err = SERVER.aws("redrive-execution", "--execution-arn", arn)
        self.assertNotEqual(status, 0)
        self.assertIn("ExecutionNotRedrivable", err)
        self.assertIn("Execution is SUCCEEDED and cannot be redriven", err)
        # Unknown and malformed ARNs.
        self.assertEqual(error_code(self.client.redrive_execution,
                                    executionArn=arn.rsplit(":", 1)[0] + ":missing"),
                         "ExecutionDoesNotExist")
        self.assertEqual(error_code(self.client.redrive_execution, executionArn=self.machine),
                         "InvalidArn")
        for body in ({}, {"executionArn": arn, "clientToken": "x" * 65},
                     {"executionArn": arn, "clientToken": ""}):
            status, answer = SERVER.raw("RedriveExecution", body)
            self.assertEqual((status, answer["__type"]), (400, "ValidationException"), body)
        # RUNNING: an execution waiting on an activity.
        activity = self.client.create_activity(name=unique("hold"))["activityArn"]
        waiting = self.client.create_state_machine(
            name=unique("waiting"), roleArn=ROLE, definition=json.dumps(
                {"StartAt": "Hold", "States": {"Hold": {"Type": "Task", "Resource": activity,
                                                        "End": True}}}))["stateMachineArn"]
        running = self.client.start_execution(stateMachineArn=waiting)["executionArn"]
        self.assertEqual(error_code(self.client.redrive_execution, executionArn=running),
                         "ExecutionNotRedrivable")
        self.client.stop_execution(executionArn=running)
        # Express executions cannot be redriven.
        express = self.client.create_state_machine(
            name=unique("express"), roleArn=ROLE, type="EXPRESS", definition=json.dumps(
                {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}))
        express_arn = self.client.start_execution(
            stateMachineArn=express["stateMachineArn"])["executionArn"]
        self.assertEqual(error_code(self.client.redrive_execution, executionArn=express_arn),
                         "ExecutionNotRedrivable")
        # The state machine was deleted.
        doomed = self.client.create_state_machine(
            name=unique("doomed"), roleArn=ROLE, definition=json.dumps(
                {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}))
        doomed_run = self.client.start_execution(
            stateMachineArn=doomed["stateMachineArn"])["executionArn"]
        self.assertEqual(wait_for_status(self.client, doomed_run)["redriveStatus"], "REDRIVABLE")
        self.client.delete_state_machine(stateMachineArn=doomed["stateMachineArn"])
        try:
            self.client.redrive_execution(executionArn=doomed_run)
            raise AssertionError("redriven")
        except self.client.exceptions.ExecutionNotRedrivable as error:
            self.assertIn("DELETING", str(error))

    def test_client_token_is_idempotent(self):
        order = unique("order")
        arn = self.start_order(order)
        self.assertEqual(wait_for_status(self.client, arn)["status"], "FAILED")
        # The AWS CLI sends a clientToken of its own on every call; here it is given.
        status, first, err = SERVER.aws("redrive-execution", "--execution-arn", arn,
                                        "--client-token", "retry-1")
        self.assertEqual(status, 0, err)
        wait_for_status(self.client, arn)
        again = self.client.redrive_execution(executionArn=arn, clientToken="retry-1")
        self.assertEqual(again["redriveDate"],
                         self.client.describe_execution(executionArn=arn)["redriveDate"])
        self.assertEqual(self.client.describe_execution(executionArn=arn)["redriveCount"], 1)
        self.assertEqual(CALLS["charge", order], 2)
        # Another token: a new request, and the execution succeeded meanwhile.
        self.assertEqual(error_code(self.client.redrive_execution, executionArn=arn,
                                    clientToken="retry-2"), "ExecutionNotRedrivable")
        self.assertEqual(first["redriveDate"], again["redriveDate"].timestamp())

    def test_stopped_execution_waiting_on_an_activity_is_redriven(self):
        activity = self.client.create_activity(name=unique("approve"))["activityArn"]
        machine = self.client.create_state_machine(
            name=unique("approval"), roleArn=ROLE, definition=json.dumps({
                "StartAt": "Prepare", "States": {
                    "Prepare": {"Type": "Pass", "Result": {"ticket": 7}, "Next": "Approve"},
                    "Approve": {"Type": "Task", "Resource": activity, "End": True}}}))
        arn = self.client.start_execution(
            stateMachineArn=machine["stateMachineArn"])["executionArn"]
        task = self.client.get_activity_task(activityArn=activity, workerName="first")
        self.assertTrue(task["taskToken"])
        self.client.stop_execution(executionArn=arn, error="Operator", cause="paused")
        self.assertEqual(wait_for_status(self.client, arn)["status"], "ABORTED")
        self.assertEqual(error_code(self.client.send_task_success, taskToken=task["taskToken"],
                                    output="{}"), "TaskDoesNotExist")

        self.client.redrive_execution(executionArn=arn)
        second = self.client.get_activity_task(activityArn=activity, workerName="second")
        self.assertNotEqual(second["taskToken"], task["taskToken"])
        self.assertEqual(json.loads(second["input"]), {"ticket": 7})
        self.client.send_task_success(taskToken=second["taskToken"], output='{"approved": true}')
        done = wait_for_status(self.client, arn)
        self.assertEqual(done["status"], "SUCCEEDED")
        types = [e["type"] for e in history(self.client, arn)]
        redriven_at = types.index("ExecutionRedriven")
        self.assertEqual(types[redriven_at - 1], "ExecutionAborted")
        self.assertEqual(types[redriven_at + 1:],
                         ["TaskStateEntered", "ActivityScheduled", "ActivityStarted",
                          "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"])

    def test_list_executions_redrive_filter(self):
        machine = self.client.create_state_machine(
            name=unique("listed"), definition=ORDER_MACHINE, roleArn=ROLE)["stateMachineArn"]
        orders = [unique("order") for _ in range(3)]
        arns = []
        for order in orders:
            FAIL_ONCE.add(order)
            arns.append(self.client.start_execution(
                stateMachineArn=machine, name=order,
                input=json.dumps({"order": order, "amount": 1}))["executionArn"])
        for arn in arns:
            wait_for_status(self.client, arn)
        self.client.redrive_execution(executionArn=arns[1])
        wait_for_status(self.client, arns[1])

        def listed(**kwargs):
            return self.client.list_executions(stateMachineArn=machine, **kwargs)["executions"]

        redriven = listed(redriveFilter="REDRIVEN")
        self.assertEqual([e["executionArn"] for e in redriven], [arns[1]])
        self.assertEqual(redriven[0]["redriveCount"], 1)
        self.assertIn("redriveDate", redriven[0])
        self.assertEqual([e["executionArn"] for e in listed(redriveFilter="NOT_REDRIVEN")],
                         [arns[2], arns[0]])
        self.assertEqual([e["redriveCount"] for e in listed()], [0, 1, 0])
        status, out, err = SERVER.aws("list-executions", "--state-machine-arn", machine,
                                      "--redrive-filter", "REDRIVEN")
        self.assertEqual(status, 0, err)
        self.assertEqual([e["executionArn"] for e in out["executions"]], [arns[1]])
        status, body = SERVER.raw("ListExecutions", {"stateMachineArn": machine,
                                                     "redriveFilter": "SOMETIMES"})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))

    def test_redrive_after_restart(self):
        order = unique("order")
        arn = self.start_order(order)
        self.assertEqual(wait_for_status(self.client, arn)["status"], "FAILED")
        SERVER.restart()
        client = SERVER.client()
        self.assertEqual(client.describe_execution(executionArn=arn)["redriveStatus"],
                         "REDRIVABLE")
        client.redrive_execution(executionArn=arn)
        done = wait_for_status(client, arn)
        self.assertEqual(done["status"], "SUCCEEDED")
        self.assertEqual(CALLS["charge", order], 2)
        # And the redrive itself survives a restart: the count and history are durable.
        SERVER.restart()
        client = SERVER.client()
        self.assertEqual(client.describe_execution(executionArn=arn)["redriveCount"], 1)
        self.assertEqual(sum(1 for e in history(client, arn) if e["type"] == "ExecutionRedriven"),
                         1)
        type(self).client = client


    def test_an_acknowledged_redrive_survives_kill_9(self):
        # The reply comes only after the redrive is committed: a SIGKILL right after it loses
        # nothing; the restarted server schedules the activity again and the execution ends.
        activity = self.client.create_activity(name=unique("crash"))["activityArn"]
        machine = self.client.create_state_machine(
            name=unique("crash"), roleArn=ROLE, definition=json.dumps({
                "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity,
                                                       "End": True}}}))["stateMachineArn"]
        arn = self.client.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
        task = self.client.get_activity_task(activityArn=activity)
        self.client.send_task_failure(taskToken=task["taskToken"], error="Crash")
        self.assertEqual(wait_for_status(self.client, arn)["status"], "FAILED")
        self.client.redrive_execution(executionArn=arn)
        SERVER.process.kill()
        SERVER.process.wait(timeout=HANG_GUARD_S)
        SERVER.log.close()
        SERVER.launch()
        client = SERVER.client()
        type(self).client = client
        self.assertEqual(client.describe_execution(executionArn=arn)["status"], "RUNNING")
        task = client.get_activity_task(activityArn=activity)
        self.assertEqual(json.loads(task["input"]), {"n": 1})
        client.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
        done = wait_for_status(client, arn)
        self.assertEqual((done["status"], done["redriveCount"]), ("SUCCEEDED", 1))
        types = [e["type"] for e in history(client, arn)]
        self.assertEqual(types.count("ExecutionRedriven"), 1)
        self.assertEqual(types[types.index("ExecutionRedriven"):],
                         ["ExecutionRedriven", "TaskStateEntered", "ActivityScheduled",
                          "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                          "ExecutionSucceeded"])


class VersionAliasListTest(unittest.TestCase):
    def test_list_executions_by_version_and_alias(self):
        client = SERVER.client()
        created = client.create_state_machine(
            name=unique("versioned"), roleArn=ROLE, publish=True, definition=json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
        machine = created["stateMachineArn"]
        version = created["stateMachineVersionArn"]
        alias = client.create_state_machine_alias(
            name="prod", routingConfiguration=[{"stateMachineVersionArn": version,
                                                "weight": 100}])["stateMachineAliasArn"]
        plain = client.start_execution(stateMachineArn=machine)["executionArn"]
        by_version = client.start_execution(stateMachineArn=version)["executionArn"]
        by_alias = client.start_execution(stateMachineArn=alias)["executionArn"]
        for arn in (plain, by_version, by_alias):
            wait_for_status(client, arn)

        def listed(arn):
            return [e["executionArn"] for e in
                    client.list_executions(stateMachineArn=arn)["executions"]]

        self.assertEqual(listed(machine), [by_alias, by_version, plain])
        # A version lists the executions that ran it (also through an alias); an alias those
        # started through it.
        self.assertEqual(listed(version), [by_alias, by_version])
        self.assertEqual(listed(alias), [by_alias])
        items = client.list_executions(stateMachineArn=alias)["executions"]
        self.assertEqual(items[0]["stateMachineAliasArn"], alias)
        self.assertEqual(items[0]["stateMachineVersionArn"], version)
        status, out, err = SERVER.aws("list-executions", "--state-machine-arn", version)
        self.assertEqual(status, 0, err)
        self.assertEqual([e["executionArn"] for e in out["executions"]], [by_alias, by_version])
        self.assertEqual(error_code(client.list_executions, stateMachineArn=machine + ":99"),
                         "StateMachineDoesNotExist")
        self.assertEqual(error_code(client.list_executions, stateMachineArn=machine + ":nope"),
                         "ResourceNotFound")


class EndedTokenTest(unittest.TestCase):
    def test_late_answers_are_the_same_after_a_restart(self):
        client = SERVER.client()
        activity = client.create_activity(name=unique("late"))["activityArn"]
        machine = client.create_state_machine(
            name=unique("late"), roleArn=ROLE, definition=json.dumps({
                "StartAt": "Work", "States": {
                    "Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 1,
                             "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Again"}],
                             "Next": "Again"},
                    "Again": {"Type": "Task", "Resource": activity, "End": True}}}))
        arn = client.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
        late = client.get_activity_task(activityArn=activity, workerName="slow")["taskToken"]
        # The first task times out (TimeoutSeconds) and the second one is scheduled.
        deadline = time.time() + HANG_GUARD_S
        answered = ""
        while not answered:
            self.assertLess(time.time(), deadline)
            answered = client.get_activity_task(activityArn=activity,
                                                workerName="fast")["taskToken"]
        client.send_task_success(taskToken=answered, output="{}")
        self.assertEqual(wait_for_status(client, arn)["status"], "SUCCEEDED")
        forged = late[:-4] + ("AAAA" if not late.endswith("AAAA") else "BBBB")
        expected = {"late": "TaskTimedOut", "answered": "TaskDoesNotExist",
                    "forged": "InvalidToken"}
        for restarted in (False, True):
            if restarted:
                SERVER.restart()
                client = SERVER.client()
            got = {name: error_code(client.send_task_success, taskToken=token, output="{}")
                   for name, token in (("late", late), ("answered", answered),
                                       ("forged", forged))}
            self.assertEqual(got, expected, f"restarted={restarted}")
        RedriveTest.client = client


if __name__ == "__main__":
    FLOWSTATE = os.path.abspath(sys.argv.pop(1))
    unittest.main()
