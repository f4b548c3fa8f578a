#!/usr/bin/env python3
"""End-to-end tests of tags, versions and aliases through `flowstate serve` with boto3 and the
AWS CLI: TagResource/UntagResource/ListTagsForResource (and tags on create), publish on
Create/Update and PublishStateMachineVersion, ListStateMachineVersions (newest first, pages),
DeleteStateMachineVersion, the five alias operations, StartExecution on version and alias ARNs
(weighted routing), DescribeExecution/DescribeStateMachine on them, and AWS's errors.

Usage: versions_tags_e2e_test.py PATH/TO/flowstate
"""
import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowstate_server import (ROLE, FlowstateServer, error_code,  # noqa: E402
                              wait_for_status)

FLOWSTATE = None
SERVER = None


def setUpModule():  # noqa: N802
    global SERVER
    SERVER = FlowstateServer(FLOWSTATE)


def tearDownModule():  # noqa: N802
    SERVER.stop()


def unique(name):
    unique.counter += 1
    return f"{name}-{os.getpid()}-{unique.counter}"


unique.counter = 0


def pass_machine(value):
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": value,
                                                          "End": True}}})


class TagsTest(unittest.TestCase):
    def test_tags_on_state_machines_and_activities(self):
        client = SERVER.client()
        machine = client.create_state_machine(
            name=unique("tagged"), definition=pass_machine(1), roleArn=ROLE,
            tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
        self.assertEqual(client.list_tags_for_resource(resourceArn=machine)["tags"],
                         [{"key": "team", "value": "a"}])
        client.tag_resource(resourceArn=machine, tags=[{"key": "env", "value": "dev"},
                                                       {"key": "team", "value": "b"}])
        self.assertEqual(client.list_tags_for_resource(resourceArn=machine)["tags"],
                         [{"key": "team", "value": "b"}, {"key": "env", "value": "dev"}])
        client.untag_resource(resourceArn=machine, tagKeys=["team", "absent"])
        self.assertEqual(client.list_tags_for_resource(resourceArn=machine)["tags"],
                         [{"key": "env", "value": "dev"}])
        activity = client.create_activity(name=unique("tagged-activity"),
                                          tags=[{"key": "k", "value": ""}])["activityArn"]
        status, out, err = SERVER.aws("list-tags-for-resource", "--resource-arn", activity)
        self.assertEqual((status, out), (0, {"tags": [{"key": "k", "value": ""}]}), err)
        status, _, err = SERVER.aws("tag-resource", "--resource-arn", activity, "--tags",
                                    "key=owner,value=me")
        self.assertEqual(status, 0, err)
        status, _, err = SERVER.aws("untag-resource", "--resource-arn", activity, "--tag-keys",
                                    "k")
        self.assertEqual(status, 0, err)
        self.assertEqual(client.list_tags_for_resource(resourceArn=activity)["tags"],
                         [{"key": "owner", "value": "me"}])
        # Deleting a resource forgets its tags.
        client.delete_state_machine(stateMachineArn=machine)
        self.assertEqual(error_code(client.list_tags_for_resource, resourceArn=machine),
                         "ResourceNotFound")

    def test_tag_errors(self):
        client = SERVER.client()
        machine = client.create_state_machine(name=unique("tag-errors"), definition=pass_machine(1),
                                              roleArn=ROLE)["stateMachineArn"]
        too_many = [{"key": f"k{i}", "value": "v"} for i in range(51)]
        self.assertEqual(error_code(client.tag_resource, resourceArn=machine, tags=too_many),
                         "TooManyTags")
        self.assertEqual(error_code(client.create_activity, name=unique("x"), tags=too_many),
                         "TooManyTags")
        self.assertEqual(error_code(client.tag_resource, resourceArn=machine,
                                    tags=[{"key": "k" * 129, "value": "v"}]),
                         "ValidationException")
        self.assertEqual(error_code(client.tag_resource, resourceArn="nope", tags=[]),
                         "InvalidArn")
        missing = machine + "-missing"
        status, body = SERVER.raw("ListTagsForResource", {"resourceArn": missing})
        self.assertEqual((status, body["__type"], body["resourceName"]),
                         (404, "ResourceNotFound", missing))


class VersionsAndAliasesTest(unittest.TestCase):
    def test_publish_list_describe_start_and_delete_versions(self):
        client = SERVER.client()
        created = client.create_state_machine(name=unique("versioned"), definition=pass_machine(1),
                                              roleArn=ROLE, publish=True,
                                              versionDescription="first")
        machine = created["stateMachineArn"]
        v1 = created["stateMachineVersionArn"]
        self.assertEqual(v1, machine + ":1")
        # Publishing the same revision again returns the same version.
        self.assertEqual(client.publish_state_machine_version(
            stateMachineArn=machine)["stateMachineVersionArn"], v1)
        updated = client.update_state_machine(stateMachineArn=machine, definition=pass_machine(2),
                                              publish=True, versionDescription="second")
        v2 = updated["stateMachineVersionArn"]
        self.assertEqual(v2, machine + ":2")
        self.assertEqual(error_code(client.publish_state_machine_version, stateMachineArn=machine,
                                    revisionId="stale"), "ConflictException")
        client.update_state_machine(stateMachineArn=machine, definition=pass_machine(3))
        status, out, err = SERVER.aws("publish-state-machine-version", "--state-machine-arn",
                                      machine, "--description", "third")
        self.assertEqual((status, out["stateMachineVersionArn"]), (0, machine + ":3"), err)
        listed = client.list_state_machine_versions(stateMachineArn=machine)
        self.assertEqual([v["stateMachineVersionArn"] for v in listed["stateMachineVersions"]],
                         [machine + ":3", v2, v1])  # newest first
        page = client.list_state_machine_versions(stateMachineArn=machine, maxResults=2)
        self.assertEqual(len(page["stateMachineVersions"]), 2)
        rest = client.list_state_machine_versions(stateMachineArn=machine,
                                                  nextToken=page["nextToken"])
        self.assertEqual([v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]],
                         [v1])
        described = client.describe_state_machine(stateMachineArn=v1)
        self.assertEqual((described["stateMachineArn"], json.loads(described["definition"]),
                          described["description"]),
                         (v1, json.loads(pass_machine(1)), "first"))
        # A version runs the definition it froze, not the current one.
        execution = client.start_execution(stateMachineArn=v1)["executionArn"]
        done = wait_for_status(client, execution)
        self.assertEqual((done["status"], done["output"], done["stateMachineVersionArn"],
                          done["stateMachineArn"]), ("SUCCEEDED", "1", v1, machine))
        started = client.get_execution_history(executionArn=execution)["events"][0]
        self.assertEqual(started["executionStartedEventDetails"]["stateMachineVersionArn"], v1)
        client.delete_state_machine_version(stateMachineVersionArn=v1)
        self.assertEqual([v["stateMachineVersionArn"] for v in client.list_state_machine_versions(
            stateMachineArn=machine)["stateMachineVersions"]], [machine + ":3", v2])
        self.assertEqual(error_code(client.start_execution, stateMachineArn=v1),
                         "StateMachineDoesNotExist")
        # Numbers are never reused.
        client.update_state_machine(stateMachineArn=machine, definition=pass_machine(4),
                                    publish=True)
        self.assertEqual(client.list_state_machine_versions(stateMachineArn=machine)[
            "stateMachineVersions"][0]["stateMachineVersionArn"], machine + ":4")

    def test_aliases_route_by_weight(self):
        client = SERVER.client()
        created = client.create_state_machine(name=unique("aliased"), definition=pass_machine("a"),
                                              roleArn=ROLE, publish=True)
        machine, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
        v2 = client.update_state_machine(stateMachineArn=machine, definition=pass_machine("b"),
                                         publish=True)["stateMachineVersionArn"]
        alias = client.create_state_machine_alias(
            name="live", description="production",
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
        alias_arn = alias["stateMachineAliasArn"]
        self.assertEqual(alias_arn, machine + ":live")
        # Idempotent repeat; a different configuration conflicts.
        self.assertEqual(client.create_state_machine_alias(
            name="live", description="production",
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])[
            "stateMachineAliasArn"], alias_arn)
        self.assertEqual(error_code(client.create_state_machine_alias, name="live",
                                    routingConfiguration=[{"stateMachineVersionArn": v2,
                                                           "weight": 100}]),
                         "ConflictException")
        described = client.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
        self.assertEqual((described["name"], described["description"],
                          described["routingConfiguration"]),
                         ("live", "production", [{"stateMachineVersionArn": v1, "weight": 100}]))
        execution = client.start_execution(stateMachineArn=alias_arn)["executionArn"]
        done = wait_for_status(client, execution)
        self.assertEqual((done["output"], done["stateMachineAliasArn"],
                          done["stateMachineVersionArn"]), ('"a"', alias_arn, v1))
        # Shift all traffic to v2 with the CLI, then split it.
        status, _, err = SERVER.aws(
            "update-state-machine-alias", "--state-machine-alias-arn", alias_arn,
            "--routing-configuration", json.dumps([{"stateMachineVersionArn": v2,
                                                    "weight": 100}]))
        self.assertEqual(status, 0, err)
        execution = client.start_execution(stateMachineArn=alias_arn)["executionArn"]
        self.assertEqual(wait_for_status(client, execution)["output"], '"b"')
        client.update_state_machine_alias(stateMachineAliasArn=alias_arn, routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 50},
            {"stateMachineVersionArn": v2, "weight": 50}])
        outputs = set()
        for _ in range(40):  # P(one version never picked in 40 starts) = 2 * 2^-40
            execution = client.start_execution(stateMachineArn=alias_arn)["executionArn"]
            outputs.add(wait_for_status(client, execution)["output"])
        self.assertEqual(outputs, {'"a"', '"b"'})
        listed = client.list_state_machine_aliases(stateMachineArn=machine)
        self.assertEqual([a["stateMachineAliasArn"] for a in listed["stateMachineAliases"]],
                         [alias_arn])
        self.assertEqual(len(client.list_state_machine_aliases(stateMachineArn=v1)[
            "stateMachineAliases"]), 1)
        # A version an alias routes to cannot be deleted.
        self.assertEqual(error_code(client.delete_state_machine_version,
                                    stateMachineVersionArn=v1), "ConflictException")
        status, _, err = SERVER.aws("delete-state-machine-alias", "--state-machine-alias-arn",
                                    alias_arn)
        self.assertEqual(status, 0, err)
        self.assertEqual(error_code(client.describe_state_machine_alias,
                                    stateMachineAliasArn=alias_arn), "ResourceNotFound")
        client.delete_state_machine_version(stateMachineVersionArn=v1)

    def test_alias_errors(self):
        client = SERVER.client()
        created = client.create_state_machine(name=unique("alias-errors"),
                                              definition=pass_machine(1), roleArn=ROLE,
                                              publish=True)
        v1 = created["stateMachineVersionArn"]
        for routing in ([{"stateMachineVersionArn": v1, "weight": 60}],
                        [{"stateMachineVersionArn": v1, "weight": 50},
                         {"stateMachineVersionArn": v1, "weight": 50}]):
            status, body = SERVER.raw("CreateStateMachineAlias",
                                      {"name": "a", "routingConfiguration": routing})
            self.assertEqual((status, body["__type"], body.get("reason")),
                             (400, "ValidationException", "INVALID_ROUTING_CONFIGURATION"))
        self.assertEqual(error_code(client.create_state_machine_alias, name="a", routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineArn"] + ":99", "weight": 100}]),
            "ResourceNotFound")
        self.assertEqual(error_code(client.create_state_machine_alias, name="123",
                                    routingConfiguration=[{"stateMachineVersionArn": v1,
                                                           "weight": 100}]), "InvalidName")
        self.assertEqual(error_code(client.describe_state_machine_alias,
                                    stateMachineAliasArn=created["stateMachineArn"] + ":none"),
                         "ResourceNotFound")
        self.assertEqual(error_code(client.list_state_machine_versions,
                                    stateMachineArn=created["stateMachineArn"],
                                    nextToken="bogus"), "InvalidToken")

    def test_deleting_a_state_machine_deletes_its_versions_and_aliases(self):
        client = SERVER.client()
        name = unique("short-lived")
        created = client.create_state_machine(name=name, definition=pass_machine(1),
                                              roleArn=ROLE, publish=True)
        alias = client.create_state_machine_alias(name="x", routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}])
        client.delete_state_machine(stateMachineArn=created["stateMachineArn"])
        again = client.create_state_machine(name=name, definition=pass_machine(2), roleArn=ROLE)
        self.assertEqual(client.list_state_machine_versions(
            stateMachineArn=again["stateMachineArn"])["stateMachineVersions"], [])
        self.assertEqual(error_code(client.describe_state_machine_alias,
                                    stateMachineAliasArn=alias["stateMachineAliasArn"]),
                         "ResourceNotFound")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: versions_tags_e2e_test.py PATH/TO/flowstate")
    FLOWSTATE = sys.argv.pop(1)
    if shutil.which("aws") is None:
        sys.exit("the `aws` command is required")
    unittest.main(verbosity=2)
