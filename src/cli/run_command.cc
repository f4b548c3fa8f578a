// `flowstate run DEFINITION.json`: one execution in process, output JSON on stdout.
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "asl/definition.h"
#include "base/rng.h"
#include "cli/commands.h"
#include "cli/engine_host.h"
#include "json/json.h"

namespace flowstate::cli {
namespace {

constexpr std::string_view kArnPrefix = "arn:aws:states:us-east-1:123456789012:";

std::string MachineNameFromPath(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) {
    name.resize(dot);
  }
  return name.empty() ? "StateMachine" : name;
}

}  // namespace

bool ReadFile(const std::string& path, std::string& contents) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "flowstate: cannot read " << path << "\n";
    return false;
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  contents = buffer.str();
  return true;
}

int Run(const RunOptions& options) {
  std::string definition;
  if (!ReadFile(options.definition_path, definition)) {
    return 2;
  }
  // One in-memory execution, as an Express workflow runs: nothing could answer an activity, a
  // task token or a .sync job, so such definitions are refused as Express ones are, not left
  // waiting forever.
  asl::ValidationOptions validation;
  validation.express = true;
  auto model = asl::LoadDefinition(definition, validation);
  if (!model) {
    std::cerr << "flowstate: " << options.definition_path << ": " << model.error().message()
              << "\n";
    if (model.error().message().find("Express state machine does not support") !=
        std::string::npos) {
      std::cerr << "flowstate: `flowstate run` has no workers or API to answer activities, "
                   "task tokens or .sync jobs; run the definition under `flowstate serve`\n";
    }
    return 2;
  }
  std::string input_text = options.input;
  if (input_text.starts_with("@")) {
    if (!ReadFile(input_text.substr(1), input_text)) {
      return 2;
    }
  }
  auto input = json::Parse(input_text);
  if (!input) {
    std::cerr << "flowstate: the input is not valid JSON: " << input.error().message() << "\n";
    return 2;
  }
  auto wait_time_scale = WaitTimeScaleOrEnv(-1);
  if (!wait_time_scale) {
    std::cerr << "flowstate: " << wait_time_scale.error().message() << "\n";
    return 2;
  }
  EngineHostOptions host_options;
  host_options.lambda_endpoint = LambdaEndpointOrEnv(options.lambda_endpoint);
  host_options.wait_time_scale = *wait_time_scale;
  auto host = EngineHost::Create(host_options);  // in memory: one execution, nothing kept
  if (!host) {
    std::cerr << "flowstate: " << host.error().message() << "\n";
    return 2;
  }

  base::Rng rng(base::SecureRandom64());
  const std::string machine = MachineNameFromPath(options.definition_path);
  const std::string name = rng.Uuid();
  runtime::StartRequest start;
  start.info.state_machine_name = machine;
  start.info.state_machine_arn = std::string(kArnPrefix) + "stateMachine:" + machine;
  start.info.execution_name = name;
  start.info.execution_arn = std::string(kArnPrefix) + "execution:" + machine + ":" + name;
  start.info.role_arn = "arn:aws:iam::123456789012:role/flowstate-run";
  start.info.start_time = (*host)->clock().Now();
  start.model = std::move(*model);
  start.input = std::move(*input);
  start.persist = false;
  std::promise<runtime::ExecutionResult> ended;
  auto result_future = ended.get_future();
  start.on_end = [&ended](const runtime::ExecutionResult& result) { ended.set_value(result); };
  (*host)->runtime().Start(std::move(start));
  const runtime::ExecutionResult result = result_future.get();
  (*host)->Shutdown();

  if (result.status == model::ExecutionStatus::kSucceeded) {
    std::cout << result.output.value_or("null") << "\n";
    return 0;
  }
  std::cerr << "Execution " << model::ToString(result.status) << "\n";
  std::cerr << "error: " << result.error.value_or("") << "\n";
  std::cerr << "cause: " << result.cause.value_or("") << "\n";
  return 1;
}

}  // namespace flowstate::cli
