// Benchmark harness: runs one workload of /work/shared/bench in-process, the way the peer's
// driver (driver-alsf.mjs) runs it in its engine, and prints one JSON line in the same shape.
//
//   flowstate_bench --workload map-10000 [--reps 5] [--warmup 1] [--min-seconds S] [--bench-dir
//   DIR]
//
// It loads the definition once with asl::LoadDefinition, then drives engine::Advance to
// completion for every input, N repetitions, timing each repetition. Task states are answered
// in-process by the trivial functions the workloads bind (noop, incr): this measures the
// interpreter, not Lambda. Timers (none in these workloads but task/execution timeouts) fire only
// when nothing else is pending, as they would in real time. A last, untimed repetition counts
// the states entered (against the manifest) and its output is checked against
// expected/<name>.expected.json.
//
// --min-seconds keeps adding timed repetitions past --reps until they add up to that long: a
// repetition of a small workload takes well under a millisecond here, so a handful of them is
// one scheduler hiccup away from a wrong median; hundreds are not.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/container/deque.hpp>
#include <sys/resource.h>

#include "asl/definition.h"
#include "asl/state_machine_model.h"
#include "base/clock.h"
#include "base/rng.h"
#include "bench_common.h"
#include "engine/advance.h"
#include "json/json.h"
#include "model/execution_snapshot.h"

namespace flowstate::bench {
namespace {

using json::Json;

struct Args {
  std::string workload;
  std::string bench_dir = "/work/shared/bench";
  int reps = 5;
  int warmup = 1;
  double min_seconds = 0;
  // AWS's 256 KiB state payload limit; 0 (the default here) disables it, because the workloads'
  // expected outputs follow the ASL spec, which has none (map-10000's result is 573 KiB) and the
  // peer enforces none. --payload-limit 262144 runs with AWS's limit.
  size_t payload_limit = 0;
  // --no-history: AdvanceOptions::record_history = false (Express without logging).
  bool record_history = true;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    if (key == "--no-history") {
      args.record_history = false;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (key == "--workload" || key == "-w") {
      args.workload = value;
    } else if (key == "--reps") {
      args.reps = std::stoi(value);
    } else if (key == "--warmup") {
      args.warmup = std::stoi(value);
    } else if (key == "--min-seconds") {
      args.min_seconds = std::stod(value);
    } else if (key == "--bench-dir") {
      args.bench_dir = value;
    } else if (key == "--payload-limit") {
      args.payload_limit = std::stoul(value);
    } else {
      return false;
    }
  }
  return !args.workload.empty() && args.reps > 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json ReadJson(const std::string& path) {
  auto parsed = json::Parse(ReadFile(path));
  if (!parsed) throw std::runtime_error("bad JSON in " + path);
  return std::move(*parsed);
}

// The in-process functions the workloads' Task states are bound to (bench/README.md):
// Resource arn:aws:lambda:...:function:noop returns its input, ...:function:incr {"i": i + 1}.
Json CallTask(model::OutboundTask& task) {
  const std::string& ref = task.function_name.empty() ? task.resource : task.function_name;
  std::string_view name = ref;
  if (auto colon = name.rfind(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
  if (name == "noop") return std::move(task.parameters);  // as the peer's noop returns its argument
  if (name == "incr") {
    Json out(Json::value_t::object);
    out.get_ref<Json::object_t&>().emplace("i", task.parameters.at("i").get<int64_t>() + 1);
    return out;
  }
  throw std::runtime_error("no in-process binding for Resource " + task.resource);
}

struct RunResult {
  bool succeeded = false;
  Json output;
  std::string error;
  int64_t states_entered = 0;
};

// Runs one execution to its end, answering tasks in-process.
RunResult RunExecution(const asl::StateMachineModel& model, const model::ExecutionInfo& info,
                       Json input, base::Rng& rng, const base::Clock& clock,
                       const engine::AdvanceOptions& options, bool count) {
  model::ExecutionSnapshot snapshot;
  // Inputs wait here in arrival order, as on a runtime lane; each is built in place and handed
  // to Advance where it sits (Advance takes it by rvalue reference and never moves it). Blocks
  // of 64: std::deque's 512-byte blocks hold one Input each, one allocation per input.
  boost::container::deque<model::Input, void,
                          boost::container::deque_options_t<boost::container::block_size<64>>>
      ready;
  std::vector<model::TimerRequest> timers;
  model::Input& start = ready.emplace_back();
  start.kind = model::InputKind::kStart;
  start.info = info;
  start.payload = std::move(input);
  RunResult result;
  while (true) {
    if (ready.empty()) {
      if (timers.empty()) throw std::runtime_error("execution blocked with nothing pending");
      auto first = std::min_element(timers.begin(), timers.end(), [](const auto& x, const auto& y) {
        return x.fire_at < y.fire_at;
      });
      model::Input& fired = ready.emplace_back();
      fired.kind = model::InputKind::kTimerFired;
      fired.stamp = first->stamp;
      timers.erase(first);
    }
    engine::Outcome outcome =
        engine::Advance(model, snapshot, std::move(ready.front()), clock.Now(), rng, options);
    ready.pop_front();
    if (count) {
      result.states_entered += outcome.states_entered;
    }
    if (outcome.terminal) {
      result.succeeded = outcome.terminal->status == model::ExecutionStatus::kSucceeded;
      result.output = std::move(outcome.terminal->output);
      if (!result.succeeded) {
        result.error = outcome.terminal->error + ": " + outcome.terminal->cause;
      }
      return result;
    }
    for (auto& task : outcome.tasks) {
      model::Input& answer = ready.emplace_back();
      answer.kind = model::InputKind::kTaskSucceeded;
      answer.stamp = task.stamp;
      answer.payload = CallTask(task);
    }
    for (auto& timer : outcome.timers) timers.push_back(timer);
    if (outcome.more_work) {
      model::Input& resume = ready.emplace_back();
      resume.kind = model::InputKind::kTimerFired;
      resume.stamp = 0;
    }
  }
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

int Run(const Args& args) {
  Json res = Json::object();
  res["engine"] = "flowstate-inprocess";
  res["workload"] = args.workload;
  try {
    Json manifest = ReadJson(args.bench_dir + "/workloads/manifest.json");
    if (!manifest.contains(args.workload)) throw std::runtime_error("workload not in manifest");
    const Json& entry = manifest[args.workload];
    std::vector<Json> inputs;
    if (entry.contains("inputs")) {
      Json all = ReadJson(args.bench_dir + "/workloads/" + entry["inputs"].get<std::string>());
      for (auto& item : all) inputs.push_back(std::move(item));
    } else {
      inputs.push_back(
          ReadJson(args.bench_dir + "/workloads/" + entry["input"].get<std::string>()));
    }
    Json expected = ReadJson(args.bench_dir + "/expected/" + args.workload + ".expected.json");
    if (!entry.contains("inputs")) expected = Json::array({std::move(expected)});
    int64_t transitions = entry["transitions_total"].get<int64_t>();
    res["executions"] = inputs.size();
    res["transitions"] = transitions;

    auto t0 = std::chrono::steady_clock::now();
    std::string text =
        ReadFile(args.bench_dir + "/workloads/" + entry["definition"].get<std::string>());
    auto model = asl::LoadDefinition(text, {});
    if (!model) throw std::runtime_error("LoadDefinition: " + model.error().ToString());
    res["setup_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

    engine::AdvanceOptions options;
    options.max_payload_bytes = args.payload_limit;
    options.record_history = args.record_history;
    res["history"] = args.record_history;
    res["payload_limit"] = args.payload_limit;
    base::RealClock clock;
    base::Rng rng(42);
    model::ExecutionInfo info;
    info.state_machine_name = "bench-" + args.workload;
    info.state_machine_arn =
        "arn:aws:states:us-east-1:123456789012:stateMachine:" + info.state_machine_name;
    info.role_arn = "arn:aws:iam::123456789012:role/bench";

    std::vector<double> runs_ms;
    std::vector<RunResult> outputs(inputs.size());
    int64_t counted = 0;
    double timed_ms = 0;
    constexpr size_t kMaxReps = 1000000;
    for (int rep = 0;; ++rep) {
      const bool timed = rep >= args.warmup;
      const bool enough = runs_ms.size() >= static_cast<size_t>(args.reps) &&
                          (timed_ms >= args.min_seconds * 1000.0 || runs_ms.size() >= kMaxReps);
      const bool last = timed && enough;  // untimed: counts states and gives the checked output
      std::vector<Json> copies = inputs;  // untimed, as the peer's structuredClone
      std::vector<model::ExecutionInfo> infos(inputs.size(), info);
      for (size_t i = 0; i < infos.size(); ++i) {
        infos[i].execution_name = "e" + std::to_string(i);
        infos[i].execution_arn =
            "arn:aws:states:us-east-1:123456789012:execution:" + info.state_machine_name + ":" +
            infos[i].execution_name;
        infos[i].start_time = clock.Now();
      }
      auto t = std::chrono::steady_clock::now();
      for (size_t i = 0; i < copies.size(); ++i) {
        outputs[i] =
            RunExecution(**model, infos[i], std::move(copies[i]), rng, clock, options, last);
      }
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
      if (last) {
        for (const auto& o : outputs) counted += o.states_entered;
        break;
      }
      if (timed) {
        runs_ms.push_back(ms);
        timed_ms += ms;
      }
    }
    double median = Median(runs_ms);
    int mismatches = 0;
    std::string first;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string where;
      bool ok = outputs[i].succeeded ? SameValue(outputs[i].output, expected[i], where, "$")
                                     : (where = "FAILED " + outputs[i].error, false);
      if (!ok && mismatches++ == 0) {
        first = (outputs.size() > 1 ? "execution " + std::to_string(i) + ": " : "") + where;
      }
    }
    res["reps"] = runs_ms.size();
    if (runs_ms.size() <= 50) res["runs_ms"] = runs_ms;
    res["median_ms"] = median;
    res["min_ms"] = *std::min_element(runs_ms.begin(), runs_ms.end());
    res["transitions_per_s"] =
        static_cast<int64_t>(static_cast<double>(transitions) / (median / 1000.0));
    res["counted_transitions"] = counted;
    res["count_matches"] = counted == transitions;
    res["output_ok"] = mismatches == 0;
    if (mismatches) {
      res["output_mismatches"] = mismatches;
      res["first_mismatch"] = first;
    }
    res["status"] = "ok";
  } catch (const std::exception& e) {
    res["status"] = "error";
    res["error"] = e.what();
  }
  res["peak_rss_mb"] = PeakRssMb();
  std::cout << json::Dump(res) << std::endl;
  return res["status"] == "ok" ? 0 : 1;
}

}  // namespace
}  // namespace flowstate::bench

int main(int argc, char** argv) {
  flowstate::bench::Args args;
  if (!flowstate::bench::ParseArgs(argc, argv, args)) {
    std::cerr << "usage: flowstate_bench --workload NAME [--reps N] [--warmup N] [--min-seconds S] "
                 "[--bench-dir DIR] "
                 "[--payload-limit BYTES] [--no-history]\n";
    return 2;
  }
  return flowstate::bench::Run(args);
}
