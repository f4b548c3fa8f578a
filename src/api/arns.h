// Step Functions identifiers (AWS-REFERENCE.md §4): building and parsing state machine and
// execution ARNs, and AWS's resource name rules. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "api/api_error.h"

namespace flowstate::api {

struct ArnScope {
  std::string region = "us-east-1";  // Step Functions Local's defaults
  std::string account = "123456789012";
};

std::string StateMachineArn(const ArnScope& scope, std::string_view name);
std::string ExecutionArn(const ArnScope& scope, std::string_view machine, std::string_view name);
// Express executions carry a unique suffix: `…:express:<sm>:<name>:<uuid>`.
std::string ExpressExecutionArn(const ArnScope& scope, std::string_view machine,
                                std::string_view name, std::string_view uuid);

std::string ActivityArn(const ArnScope& scope, std::string_view name);

// `<state machine ARN>:<N>` and `<state machine ARN>:<alias>`.
std::string StateMachineVersionArn(std::string_view machine_arn, int64_t version);
std::string StateMachineAliasArn(std::string_view machine_arn, std::string_view alias);

enum class ArnKind {
  kStateMachine,
  kExecution,
  kExpressExecution,
  kActivity,
  kStateMachineVersion,
  kStateMachineAlias,
};

struct ParsedArn {
  ArnKind kind = ArnKind::kStateMachine;
  std::string machine;    // state machine name (activities: the activity name)
  std::string execution;  // execution name (executions only)
  std::string qualifier;  // version number or alias name (versions and aliases only)
  // The state machine's own ARN (versions and aliases: without the qualifier).
  std::string machine_arn;
};

// Parses an ARN that must be of one of `allowed` kinds (bit set of 1 << ArnKind); anything
// else is InvalidArn with AWS's message.
ApiResult<ParsedArn> ParseArn(std::string_view arn, unsigned allowed);
constexpr unsigned Allow(ArnKind kind) { return 1U << static_cast<unsigned>(kind); }

// AWS name rules for state machines and executions: none of whitespace, brackets, wildcards,
// control characters or `" # % \ ^ | ~ ` $ & , ; : /` (else InvalidName).
bool IsValidName(std::string_view name);

// The API model's length rule for names, 1-80 characters: a ValidationException like AWS's
// "1 validation error detected: Value '...' at 'name' failed to satisfy constraint: Member must
// have length less than or equal to 80".
ApiResult<bool> CheckNameLength(std::string_view name, std::string_view field);

}  // namespace flowstate::api
