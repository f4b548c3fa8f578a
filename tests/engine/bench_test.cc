// Runs the shared benchmark workloads (/work/shared/bench/workloads, JSONPath ones) in-process,
// checks each output against the expected one and prints transitions per second. The speed is
// reported, never asserted (no timing asserts); correctness is.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <time.h>

#include "asl/definition.h"
#include "asl/state_machine_model.h"
#include "engine_driver.h"
#include "json/json.h"

namespace flowstate::engine {
namespace {

namespace fs = std::filesystem;
using json::Json;

const std::string kBenchDir = FS_SOURCE_DIR "/../shared/bench";

Json ReadJson(const fs::path& path) {
  std::ifstream stream(path);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  auto parsed = json::Parse(buffer.str());
  return parsed ? *parsed : Json();
}

double ThreadCpuSeconds() {
  timespec spec{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec);
  return static_cast<double>(spec.tv_sec) + static_cast<double>(spec.tv_nsec) * 1e-9;
}

// The workloads' trivial functions: `noop` returns its input, `incr` returns {"i": i + 1}.
std::optional<model::Input> AnswerTask(const model::OutboundTask& task) {
  model::Input reply;
  reply.kind = model::InputKind::kTaskSucceeded;
  const Json& payload = task.kind == model::TaskKind::kLambdaInvoke && task.parameters.is_object()
                            ? task.parameters.value("Payload", Json())
                            : task.parameters;
  if (task.function_name.find("incr") != std::string::npos) {
    reply.payload = {{"i", payload.value("i", 0) + 1}};
  } else {
    reply.payload = payload;
  }
  return reply;
}

void RunWorkload(const std::string& name, const Json& spec, int reps) {
  fs::path dir = fs::path(kBenchDir) / "workloads";
  Json definition = ReadJson(dir / spec["definition"].get<std::string>());
  auto model = asl::BuildModel(definition);
  ASSERT_TRUE(model.has_value()) << name << ": " << model.error().message();
  Json expected = ReadJson(fs::path(kBenchDir) / "expected" / (name + ".expected.json"));
  std::vector<Json> inputs;
  if (spec.contains("inputs")) {
    for (const auto& input : ReadJson(dir / spec["inputs"].get<std::string>())) {
      inputs.push_back(input);
    }
  } else {
    inputs.push_back(ReadJson(dir / spec["input"].get<std::string>()));
  }
  double best = 0;
  for (int rep = 0; rep < reps; ++rep) {
    Json outputs = Json::array();
    // CPU time of this thread: the machine is shared, wall time would measure the neighbours.
    double start = ThreadCpuSeconds();
    for (const Json& input : inputs) {
      AdvanceOptions options;
      options.max_payload_bytes = 0;  // map-10000's result is larger than AWS's 256 KiB
      testing::DriveResult run = testing::Drive(**model, input, AnswerTask, 100000, options);
      ASSERT_TRUE(run.terminal.has_value()) << name << ": " << run.problem;
      ASSERT_EQ(run.terminal->status, model::ExecutionStatus::kSucceeded)
          << name << ": " << run.terminal->error << " " << run.terminal->cause;
      outputs.push_back(std::move(run.terminal->output));
    }
    double seconds = ThreadCpuSeconds() - start;
    if (spec.contains("inputs")) {
      EXPECT_EQ(outputs, expected) << name;
    } else {
      EXPECT_EQ(outputs[0], expected) << name;
    }
    double rate = spec["transitions_total"].get<double>() / seconds;
    best = std::max(best, rate);
  }
  std::cout << "bench " << name << ": " << static_cast<int64_t>(best) << " transitions/s\n";
}

TEST(BenchTest, WorkloadsRunCorrectly) {
  fs::path manifest_path = fs::path(kBenchDir) / "workloads" / "manifest.json";
  if (!fs::exists(manifest_path)) {
    GTEST_SKIP() << "no bench workloads";
  }
  Json manifest = ReadJson(manifest_path);
  const char* reps_env = std::getenv("FS_BENCH_REPS");
  int reps = reps_env != nullptr ? std::atoi(reps_env) : 1;
  const char* only = std::getenv("FS_BENCH_FILTER");
  for (auto it = manifest.begin(); it != manifest.end(); ++it) {
    if (only != nullptr && it.key() != only) continue;
    bool jsonata = false;
    for (const auto& need : it.value()["needs"]) {
      if (need == "jsonata") jsonata = true;
    }
    if (jsonata) continue;
    RunWorkload(it.key(), it.value(), reps);
  }
}

}  // namespace
}  // namespace flowstate::engine
