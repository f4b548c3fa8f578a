"""Shared pieces of the end-to-end tests: a `flowstate serve` process on a free port, clients
(boto3, the `aws` command, raw AWS JSON 1.0) and a local Lambda Invoke endpoint whose functions
are Python callables. Standard library + boto3 only. Hang guards, never timing assertions."""
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HANG_GUARD_S = 90
ROLE = "arn:aws:iam::123456789012:role/flowstate-e2e"
CLIENT_ENV = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                  AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_MAX_ATTEMPTS="1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FunctionError(Exception):
    """Raised by a LambdaEndpoint function: the invocation answers as a function error
    (X-Amz-Function-Error: Unhandled, {"errorType", "errorMessage"})."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class LambdaEndpoint:
    """POST /2015-03-31/functions/NAME/invocations -> functions[NAME](payload) as the result
    (a FunctionError raised by the function: a function error)."""

    def __init__(self, functions):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                name = self.path.split("/functions/", 1)[1].split("/", 1)[0]
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"null")
                failed = None
                try:
                    result = json.dumps(endpoint.functions[name](payload)).encode()
                except FunctionError as error:
                    failed = error
                    result = json.dumps({"errorType": error.error_type,
                                         "errorMessage": error.message}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Amz-Executed-Version", "$LATEST")
                if failed is not None:
                    self.send_header("X-Amz-Function-Error", "Unhandled")
                self.send_header("Content-Length", str(len(result)))
                self.end_headers()
                self.wfile.write(result)

            def log_message(self, *args):
                pass

        self.functions = functions
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class FlowstateServer:
    """`flowstate serve` with its data in a fresh temporary directory (durable SQLite store)."""

    def __init__(self, flowstate, *extra_args):
        self.flowstate = flowstate
        self.extra_args = extra_args
        self.data = tempfile.mkdtemp(prefix="flowstate-e2e-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.launch()

    def launch(self):
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [self.flowstate, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data",
             self.data, *self.extra_args], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + HANG_GUARD_S
        while not self.healthy():
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("flowstate serve did not come up: " + self.output())
            time.sleep(0.05)

    def healthy(self):
        try:
            with urllib.request.urlopen(f"{self.endpoint}/health", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, keep_data=False):
        """Stops the server (and removes its data); raises unless it exited cleanly."""
        self.process.terminate()
        try:
            status = self.process.wait(timeout=HANG_GUARD_S)
            if status != 0:
                raise RuntimeError(f"flowstate serve exited with {status}:\n{self.output()}")
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        finally:
            self.log.close()
            if not keep_data:
                shutil.rmtree(self.data, ignore_errors=True)

    def restart(self):
        """A clean stop, then the same server (port and data) again."""
        self.stop(keep_data=True)
        self.launch()

    def client(self, read_timeout=70):
        # GetActivityTask holds the request up to 60 s: AWS's own clients wait 65 s or more.
        return boto3.client("stepfunctions", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(inject_host_prefix=False, read_timeout=read_timeout,
                                          retries={"max_attempts": 1}))

    def aws(self, *args):
        """Runs `aws stepfunctions ARGS`; returns (exit status, parsed stdout or None, stderr)."""
        result = subprocess.run(["aws", "stepfunctions", "--endpoint-url", self.endpoint,
                                 "--cli-read-timeout", "70", "--output", "json", *args],
                                capture_output=True, text=True, env=CLIENT_ENV,
                                timeout=HANG_GUARD_S)
        out = json.loads(result.stdout) if result.stdout.strip() else None
        return result.returncode, out, result.stderr

    def raw(self, operation, body):
        """Sends a raw AWS JSON 1.0 request; returns (HTTP status, parsed body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HANG_GUARD_S)
        payload = body if isinstance(body, (bytes, str)) else json.dumps(body)
        conn.request("POST", "/", body=payload,
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": "AWSStepFunctions." + operation})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data) if data else None


def error_code(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("the call succeeded")


def wait_for_status(client, execution_arn, statuses=("SUCCEEDED", "FAILED", "TIMED_OUT",
                                                      "ABORTED")):
    deadline = time.time() + HANG_GUARD_S
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] in statuses:
            return described
        if time.time() > deadline:
            raise AssertionError(f"{execution_arn} still {described['status']}")
        time.sleep(0.05)


def history_types(client, execution_arn):
    events = client.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [event["type"] for event in events]
