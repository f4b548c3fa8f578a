// Benchmark harness: runs one workload of /work/shared/bench through Flowstate's Step Functions
// API (a running `flowstate serve`), the way driver-alsf.mjs runs it in its engine, and prints one
// JSON line in the same shape.
//
//   api_bench --endpoint http://127.0.0.1:8083 --workload map-10000 [--reps 5] [--warmup 1]
//             [--bench-dir DIR] [--concurrency 1]
//
// CreateStateMachine (type EXPRESS) once, then per repetition one StartSyncExecution per input
// (AWS JSON 1.0 over HTTP/1.1 keep-alive; each worker thread owns one connection). The server
// calls the workloads' Task functions at its Lambda endpoint (bench_lambda_server). The outputs
// of the last repetition are checked against expected/<name>.expected.json.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/asio.h"
#include "bench_common.h"
#include "json/json.h"

namespace flowstate::bench {
namespace {

using json::Json;

struct Args {
  std::string endpoint = "http://127.0.0.1:8083";
  std::string workload;
  std::string bench_dir = "/work/shared/bench";
  int reps = 5;
  int warmup = 1;
  int concurrency = 1;
};

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

int Run(const Args& args) {
  Json res = Json::object();
  res["engine"] = "flowstate-api";
  res["workload"] = args.workload;
  res["concurrency"] = args.concurrency;
  try {
    std::string rest = args.endpoint.substr(args.endpoint.find("://") + 3);
    std::string host = rest.substr(0, rest.find(':'));
    std::string port = rest.substr(rest.find(':') + 1);
    while (!port.empty() && port.back() == '/') port.pop_back();

    Json manifest = ReadJson(args.bench_dir + "/workloads/manifest.json");
    const Json& entry = manifest.at(args.workload);
    std::vector<std::string> inputs;  // as JSON text, the API's input form
    if (entry.contains("inputs")) {
      for (const auto& item :
           ReadJson(args.bench_dir + "/workloads/" + entry["inputs"].get<std::string>())) {
        inputs.push_back(json::Dump(item));
      }
    } else {
      inputs.push_back(
          json::Dump(ReadJson(args.bench_dir + "/workloads/" + entry["input"].get<std::string>())));
    }
    Json expected = ReadJson(args.bench_dir + "/expected/" + args.workload + ".expected.json");
    if (!entry.contains("inputs")) expected = Json::array({std::move(expected)});
    int64_t transitions = entry["transitions_total"].get<int64_t>();
    res["executions"] = inputs.size();
    res["transitions"] = transitions;

    ApiClient setup(host, port);
    auto t0 = std::chrono::steady_clock::now();
    Json create = Json::object();
    create["name"] = "bench-" + args.workload + "-" +
                     std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    create["definition"] =
        ReadFile(args.bench_dir + "/workloads/" + entry["definition"].get<std::string>());
    create["roleArn"] = "arn:aws:iam::123456789012:role/bench";
    create["type"] = "EXPRESS";
    std::string arn =
        setup.Call("CreateStateMachine", create)["stateMachineArn"].get<std::string>();
    res["setup_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

    int workers = std::max(1, std::min<int>(args.concurrency, static_cast<int>(inputs.size())));
    std::vector<std::unique_ptr<ApiClient>> clients;
    for (int w = 0; w < workers; ++w) clients.push_back(std::make_unique<ApiClient>(host, port));
    std::vector<Json> outputs(inputs.size());
    std::vector<std::string> failures(inputs.size());
    std::vector<double> runs_ms;
    for (int rep = 0; rep < args.warmup + args.reps; ++rep) {
      std::atomic<size_t> next{0};
      auto work = [&](ApiClient& client) {
        for (size_t i = next++; i < inputs.size(); i = next++) {
          Json start = Json::object();
          start["stateMachineArn"] = arn;
          start["input"] = inputs[i];
          Json answer = client.Call("StartSyncExecution", start);
          if (answer.value("status", "") == "SUCCEEDED") {
            auto out = json::Parse(answer.value("output", "null"));
            outputs[i] = out ? std::move(*out) : Json();
            failures[i].clear();
          } else {
            failures[i] = answer.value("status", "?") + " " + answer.value("error", "") + ": " +
                          answer.value("cause", "").substr(0, 200);
          }
        }
      };
      auto t = std::chrono::steady_clock::now();
      if (workers == 1) {
        work(*clients[0]);
      } else {
        std::vector<std::thread> threads;
        for (int w = 0; w < workers; ++w)
          threads.emplace_back(work, std::ref(*clients[static_cast<size_t>(w)]));
        for (auto& th : threads) th.join();
      }
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
      if (rep >= args.warmup) runs_ms.push_back(ms);
    }
    int mismatches = 0;
    std::string first;
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string where = failures[i];
      bool ok = where.empty() && SameValue(outputs[i], expected[i], where, "$");
      if (!ok && mismatches++ == 0) {
        first = (outputs.size() > 1 ? "execution " + std::to_string(i) + ": " : "") + where;
      }
    }
    double median = Median(runs_ms);
    res["runs_ms"] = runs_ms;
    res["median_ms"] = median;
    res["min_ms"] = *std::min_element(runs_ms.begin(), runs_ms.end());
    res["transitions_per_s"] =
        static_cast<int64_t>(static_cast<double>(transitions) / (median / 1000.0));
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
  std::cout << json::Dump(res) << std::endl;
  return res["status"] == "ok" ? 0 : 1;
}

}  // namespace
}  // namespace flowstate::bench

int main(int argc, char** argv) {
  flowstate::bench::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i], value = argv[i + 1];
    if (key == "--endpoint")
      args.endpoint = value;
    else if (key == "--workload")
      args.workload = value;
    else if (key == "--reps")
      args.reps = std::stoi(value);
    else if (key == "--warmup")
      args.warmup = std::stoi(value);
    else if (key == "--bench-dir")
      args.bench_dir = value;
    else if (key == "--concurrency")
      args.concurrency = std::stoi(value);
    else {
      std::cerr << "unknown argument " << key << "\n";
      return 2;
    }
  }
  if (args.workload.empty()) {
    std::cerr << "usage: api_bench --endpoint URL --workload NAME [--reps N] [--warmup N]\n";
    return 2;
  }
  return flowstate::bench::Run(args);
}
