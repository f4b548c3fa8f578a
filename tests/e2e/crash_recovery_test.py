#!/usr/bin/env python3
"""Crash safety of durable Standard executions, end to end.

Usage: crash_recovery_test.py PATH/TO/flowstate

Runs a few hundred Standard executions (Wait, Parallel, Map, Retry/Catch, Lambda tasks) twice:
once on a server left alone (the reference), once on a server that is killed with SIGKILL at
random moments and restarted on the same data directory, while executions are being started and
are running. Every execution of the second run must end with the same status, output and
history (event ids, links, types and details; timestamps aside) as its twin in the reference:
nothing lost, no transition applied twice. The server keeps only 1 s of timers in memory, so
longer waits go through the look-ahead (rows scanned every 0.5 s, executions evicted and loaded
back) as well as through recovery.

The workflows are deterministic by construction (no two pieces of asynchronous work of one
execution can race each other), so the comparison does not depend on timing; the kill moments
are random (seeded) and only hang guards bound the waits. Lambda functions are served by a small
stand-in speaking the Lambda Invoke API, deterministic in their input, so a call made again after
a crash (at least once, as on AWS) returns the same answer.
"""
import http.client
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HANG_GUARD_S = int(os.environ.get("CRASH_TEST_HANG_GUARD_S", "120"))
SEED = int(os.environ.get("CRASH_TEST_SEED", "20261123"))
KILLS = 8
PER_WORKFLOW = 60
ROLE = "arn:aws:iam::123456789012:role/crash"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Lambda stand-in -------------------------------------------------------------------------

class LambdaHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        name = self.path.split("/functions/", 1)[1].split("/", 1)[0]
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"null")
        error = None
        if name == "double":
            body = {"v": payload["n"] * 2}
        elif name == "slow":
            time.sleep(0.05 + (payload["n"] % 5) * 0.05)
            body = {"slow": payload["n"] + 1}
        elif name == "flaky":
            error = "Flaky"
            body = {"errorType": "Flaky", "errorMessage": f"always fails for {payload['n']}"}
        else:
            error = "Unknown"
            body = {"errorType": "Unknown", "errorMessage": name}
        data = json.dumps(body, sort_keys=True).encode()
        # Only deterministic headers: the task result records them (SdkHttpMetadata).
        self.send_response_only(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error:
            self.send_header("X-Amz-Function-Error", "Unhandled")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class LambdaServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a caller killed mid-call (the point of this test) is no error here


def start_lambda():
    server = LambdaServer(("127.0.0.1", 0), LambdaHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Workflows -------------------------------------------------------------------------------

def task(function, payload_path, result_path, next_state=None, **extra):
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": function, "Payload": {"n.$": payload_path}},
             "ResultSelector": {"v.$": "$.Payload"}, "ResultPath": result_path,
             "TimeoutSeconds": 60}
    state.update(extra)
    if next_state:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


WORKFLOWS = {
    # Wait, then a Lambda call, then another Wait.
    "waits": {"StartAt": "W1", "States": {
        "W1": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
        "Call": task("slow", "$.n", "$.call", "W2"),
        "W2": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True}}},
    # Parallel branches whose only asynchronous work are timers of different lengths (they fire
    # in deadline order, even when both are overdue after a restart), then a Lambda call.
    "parallel": {"StartAt": "Par", "States": {
        "Par": {"Type": "Parallel", "ResultPath": "$.par", "Next": "Call", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "Next": "A2"},
                                        "A2": {"Type": "Pass", "Result": "a", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "Next": "B2"},
                                        "B2": {"Type": "Wait", "Seconds": 2, "End": True}}}]},
        "Call": task("double", "$.n", "$.call")}},
    # A sequential Map of Lambda calls and Waits.
    "map": {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.m",
              "ItemProcessor": {"StartAt": "Call", "States": {
                  "Call": task("double", "$.k", "$.d", "Nap"),
                  "Nap": {"Type": "Wait", "Seconds": 1, "End": True}}},
              "End": True}}},
    # A concurrent Map whose iterations wait for different times.
    "fanout": {"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.m",
              "ItemProcessor": {"StartAt": "Nap", "States": {
                  "Nap": {"Type": "Wait", "SecondsPath": "$.k", "Next": "P"},
                  "P": {"Type": "Pass", "End": True}}},
              "End": True}}},
    # Retry with backoff, then Catch.
    "retry": {"StartAt": "Call", "States": {
        "Call": task("flaky", "$.n", "$.call", "Ok",
                     Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2,
                             "BackoffRate": 1.0}],
                     Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err",
                             "Next": "Caught"}]),
        "Ok": {"Type": "Pass", "End": True},
        "Caught": {"Type": "Pass", "Result": "caught", "ResultPath": "$.handled", "End": True}}},
}


def execution_input(workflow, index):
    if workflow in ("map", "fanout"):
        return {"n": index, "items": [{"k": 1 + (index + j) % 3} for j in range(3)]}
    return {"n": index}


# --- Server and API --------------------------------------------------------------------------

class Server:
    def __init__(self, flowstate, data, lambda_port, log):
        self.flowstate = flowstate
        self.data = data
        self.lambda_port = lambda_port
        self.port = free_port()
        self.log = log
        self.process = None

    def start(self):
        deadline = time.time() + HANG_GUARD_S
        while True:
            self.process = subprocess.Popen(
                [self.flowstate, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--data", self.data, "--lambda-endpoint", f"http://127.0.0.1:{self.lambda_port}",
                 # Timers due beyond 1 s wait as rows and their executions leave memory: the
                 # look-ahead's scans and loads run under the kills too.
                 "--timer-look-ahead", "1"],
                stdout=self.log, stderr=subprocess.STDOUT)
            while self.process.poll() is None and not self.healthy():
                if time.time() > deadline:
                    raise RuntimeError("flowstate serve did not come up")
                time.sleep(0.02)
            if self.process.poll() is None:
                return
            if time.time() > deadline:  # e.g. the port was not free yet: try again
                raise RuntimeError("flowstate serve kept exiting at start")
            time.sleep(0.1)

    def healthy(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            conn.request("GET", "/health")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.terminate()
        status = self.process.wait(timeout=HANG_GUARD_S)
        if status != 0:
            raise RuntimeError(f"flowstate serve exited with status {status}")

    def call(self, operation, body):
        """One AWS JSON 1.0 call; (status, parsed body). Raises OSError when the server is
        unreachable or dies mid-request."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/", json.dumps(body), {
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": f"AWSStepFunctions.{operation}"})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except http.client.HTTPException as e:
            raise OSError(str(e)) from e
        finally:
            conn.close()

    def call_retrying(self, operation, body):
        """Retries while the server is down (being restarted)."""
        deadline = time.time() + HANG_GUARD_S
        while True:
            try:
                return self.call(operation, body)
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)


def create_machines(server):
    arns = {}
    for name, definition in WORKFLOWS.items():
        status, body = server.call_retrying("CreateStateMachine", {
            "name": name, "definition": json.dumps(definition), "roleArn": ROLE})
        assert status == 200, (name, body)
        arns[name] = body["stateMachineArn"]
    return arns


def plan():
    return [(workflow, f"{workflow}-{index}", execution_input(workflow, index))
            for index in range(PER_WORKFLOW) for workflow in WORKFLOWS]


def start_all(server, arns, executions, pause_every=0, pause_s=0.0):
    for count, (workflow, name, payload) in enumerate(executions, 1):
        status, body = server.call_retrying("StartExecution", {
            "stateMachineArn": arns[workflow], "name": name, "input": json.dumps(payload)})
        # A start that reached the store before a kill may be answered either way on retry.
        assert status == 200 or body.get("__type") == "ExecutionAlreadyExists", (name, body)
        if pause_every and count % pause_every == 0:
            time.sleep(pause_s)


def execution_arn(machine_arn, name):
    return machine_arn.replace(":stateMachine:", ":execution:") + ":" + name


def wait_until_done(server, arns, executions):
    deadline = time.time() + HANG_GUARD_S
    pending = {execution_arn(arns[w], name) for w, name, _ in executions}
    results = {}
    while pending:
        if time.time() > deadline:
            raise AssertionError(f"{len(pending)} executions never ended, e.g. {sorted(pending)[:3]}")
        for arn in sorted(pending):
            status, body = server.call_retrying("DescribeExecution", {"executionArn": arn})
            assert status == 200, body
            if body["status"] != "RUNNING":
                results[arn] = body
                pending.discard(arn)
        if pending:
            time.sleep(0.2)
    return results


def history(server, arn):
    events, token = [], None
    while True:
        request = {"executionArn": arn, "maxResults": 1000}
        if token:
            request["nextToken"] = token
        status, body = server.call_retrying("GetExecutionHistory", request)
        assert status == 200, body
        for event in body["events"]:
            event.pop("timestamp")
            events.append(event)
        token = body.get("nextToken")
        if not token:
            return events


def outcome(server, results):
    return {arn: {"status": described["status"], "output": described.get("output"),
                  "error": described.get("error"), "cause": described.get("cause"),
                  "history": history(server, arn)}
            for arn, described in results.items()}


def run(flowstate, data, lambda_port, log, rng, kills):
    server = Server(flowstate, data, lambda_port, log)
    try:
        return run_on(server, rng, kills)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.process.kill()  # a failed run leaves no server behind
            server.process.wait()


def run_on(server, rng, kills):
    server.start()
    arns = create_machines(server)
    executions = plan()
    rng.shuffle(executions)
    starter_error = []

    def guarded_start():
        try:
            start_all(server, arns, executions, pause_every=25, pause_s=0.15)
        except BaseException as e:  # noqa: BLE001 (re-raised by the main thread)
            starter_error.append(e)

    starter = threading.Thread(target=guarded_start)
    starter.start()
    for _ in range(kills):
        time.sleep(rng.uniform(0.2, 1.2))
        server.kill9()
        server.start()
    starter.join(HANG_GUARD_S)
    assert not starter.is_alive(), "starting executions hung"
    if starter_error:
        raise starter_error[0]
    results = wait_until_done(server, arns, executions)
    got = outcome(server, results)
    server.stop()
    return got


def main():
    flowstate = os.path.abspath(sys.argv[1])
    lambda_server = start_lambda()
    lambda_port = lambda_server.server_address[1]
    workdir = tempfile.mkdtemp(prefix="flowstate-crash-")
    log_path = os.path.join(workdir, "server.log")
    rng = random.Random(SEED)
    try:
        with open(log_path, "wb") as log:
            started = time.time()
            reference = run(flowstate, os.path.join(workdir, "reference"), lambda_port, log,
                            random.Random(SEED), kills=0)
            print(f"reference run: {len(reference)} executions in {time.time() - started:.1f} s")
            started = time.time()
            crashed = run(flowstate, os.path.join(workdir, "crashed"), lambda_port, log, rng,
                          kills=KILLS)
            print(f"run with {KILLS} kill -9: {len(crashed)} executions in "
                  f"{time.time() - started:.1f} s")
        problems = []
        assert set(reference) == set(crashed)
        statuses = {}
        for arn in sorted(reference):
            want, got = reference[arn], crashed[arn]
            statuses[want["status"]] = statuses.get(want["status"], 0) + 1
            for field in ("status", "output", "error", "cause"):
                if want[field] != got[field]:
                    problems.append(f"{arn}: {field} {got[field]!r} != reference {want[field]!r}")
            if want["history"] != got["history"]:
                want_h, got_h = want["history"], got["history"]
                first = next((i for i in range(min(len(want_h), len(got_h)))
                              if want_h[i] != got_h[i]), min(len(want_h), len(got_h)))
                problems.append(f"{arn}: history differs from event {first + 1} "
                                f"({len(got_h)} events vs {len(want_h)}): "
                                f"{got_h[first] if first < len(got_h) else None} vs "
                                f"{want_h[first] if first < len(want_h) else None}")
        print(f"statuses: {statuses}")
        # The workflows end as designed: everything succeeds (retry ends in its Catch).
        if statuses != {"SUCCEEDED": len(reference)}:
            problems.append(f"unexpected statuses in the reference run: {statuses}")
        if problems:
            print(f"{len(problems)} problems:")
            for problem in problems[:20]:
                print("  " + problem)
            with open(log_path, "rb") as log:
                print("server log (tail):\n" + log.read().decode(errors="replace")[-4000:])
            return 1
        print(f"OK: {len(crashed)} executions identical to the uninterrupted run "
              f"(seed {SEED})")
        return 0
    finally:
        lambda_server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
