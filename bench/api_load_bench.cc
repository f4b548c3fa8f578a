// Load benchmarks of a running `flowstate serve` through the Step Functions API (issue 3, item
// 8): many concurrent clients, each on its own keep-alive connection (AWS JSON 1.0 over
// HTTP/1.1). Prints one JSON line.
//
//   api_load_bench --endpoint URL --mode MODE [--executions N] [--concurrency C]
//                  [--waits K] [--server-pid PID]
//
// Modes:
//   standard  a STANDARD machine of K Wait states of 1 second each (serve it with
//             --wait-time-scale 0.001, so each Wait blocks ~1 ms): N StartExecution calls, then
//             polls until none is RUNNING. Every Wait ends in its own engine step, so each
//             execution commits K+1 durable transitions (its start's step plus one per timer),
//             beside the StartExecution record. Reports starts/s over the start phase and
//             transitions/s over the whole run (first start to last end).
//   sleepers  a STANDARD machine that waits one year: N StartExecution calls (each commits the
//             record and the step entering the Wait: the timer row), then the server's RSS with
//             N sleeping executions (--server-pid).
//   express   an EXPRESS machine of one Pass state: N StartSyncExecution calls; req/s and the
//             latency distribution (p50, p99, max) as the clients saw it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
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
using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string endpoint = "http://127.0.0.1:8083";
  std::string mode;
  int64_t executions = 10000;
  int concurrency = 64;
  int waits = 10;
  int server_pid = 0;
};

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// VmRSS / VmHWM of a process, in MB (0 when unreadable).
double ProcStatusMb(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream value(line.substr(field.size() + 1));
      double kb = 0;
      value >> kb;
      return kb / 1024.0;
    }
  }
  return 0;
}

class Bench {
 public:
  explicit Bench(const Args& args) : args_(args) {
    const std::string rest = args.endpoint.substr(args.endpoint.find("://") + 3);
    host_ = rest.substr(0, rest.find(':'));
    port_ = rest.substr(rest.find(':') + 1);
    while (!port_.empty() && port_.back() == '/') {
      port_.pop_back();
    }
  }

  std::string CreateMachine(const std::string& prefix, const Json& definition,
                            const std::string& type) {
    ApiClient client(host_, port_);
    Json create = Json::object();
    create["name"] =
        prefix + "-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    create["definition"] = json::Dump(definition);
    create["roleArn"] = "arn:aws:iam::123456789012:role/bench";
    create["type"] = type;
    return client.Call("CreateStateMachine", create)["stateMachineArn"].get<std::string>();
  }

  // Runs `call(client, index)` for every index in [0, N) on C connections; per-call latencies.
  template <typename Call>
  std::vector<double> RunConcurrently(Call call) {
    const int workers = static_cast<int>(
        std::max<int64_t>(1, std::min<int64_t>(args_.concurrency, args_.executions)));
    std::vector<std::unique_ptr<ApiClient>> clients;
    for (int w = 0; w < workers; ++w) {
      clients.push_back(std::make_unique<ApiClient>(host_, port_));
    }
    std::atomic<int64_t> next{0};
    std::vector<std::vector<double>> latencies(static_cast<size_t>(workers));
    std::vector<std::string> errors(static_cast<size_t>(workers));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        auto& mine = latencies[static_cast<size_t>(w)];
        try {
          for (int64_t i = next++; i < args_.executions; i = next++) {
            const auto t = SteadyClock::now();
            call(*clients[static_cast<size_t>(w)], i);
            mine.push_back(Seconds(SteadyClock::now() - t) * 1000.0);
          }
        } catch (const std::exception& e) {
          errors[static_cast<size_t>(w)] = e.what();
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    for (const auto& error : errors) {
      if (!error.empty()) {
        throw std::runtime_error(error);
      }
    }
    std::vector<double> all;
    for (auto& mine : latencies) {
      all.insert(all.end(), mine.begin(), mine.end());
    }
    return all;
  }

  static void AddLatencies(Json& res, std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    const auto at = [&ms](double q) {
      return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
    };
    res["latency_ms"] = {{"p50", at(0.50)}, {"p99", at(0.99)}, {"max", ms.back()}};
  }

  void WaitUntilNoneRunning(const std::string& machine_arn) {
    ApiClient client(host_, port_);
    Json list = {{"stateMachineArn", machine_arn}, {"statusFilter", "RUNNING"}, {"maxResults", 1}};
    while (!client.Call("ListExecutions", list)["executions"].empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::vector<double> StartAll(const std::string& machine_arn) {
    return RunConcurrently([&](ApiClient& client, int64_t i) {
      client.Call("StartExecution", {{"stateMachineArn", machine_arn},
                                     {"name", "e" + std::to_string(i)},
                                     {"input", R"({"i":)" + std::to_string(i) + "}"}});
    });
  }

  void Standard(Json& res) {
    Json states = Json::object();
    for (int k = 0; k < args_.waits; ++k) {
      Json wait = {{"Type", "Wait"}, {"Seconds", 1}};
      if (k + 1 < args_.waits) {
        wait["Next"] = "W" + std::to_string(k + 1);
      } else {
        wait["End"] = true;
      }
      states["W" + std::to_string(k)] = std::move(wait);
    }
    const std::string arn =
        CreateMachine("durable", {{"StartAt", "W0"}, {"States", states}}, "STANDARD");
    const auto t0 = SteadyClock::now();
    auto latencies = StartAll(arn);
    const double start_s = Seconds(SteadyClock::now() - t0);
    WaitUntilNoneRunning(arn);
    const double total_s = Seconds(SteadyClock::now() - t0);
    const auto steps = static_cast<double>(args_.executions) * (args_.waits + 1);
    res["start_phase_s"] = start_s;
    res["starts_per_s"] = static_cast<double>(args_.executions) / start_s;
    res["total_s"] = total_s;
    res["durable_transitions"] = steps;
    res["durable_transitions_per_s"] = steps / total_s;
    // Every transaction the store wrote: one StartExecution record + K+1 steps per execution.
    res["store_writes_per_s"] = (steps + static_cast<double>(args_.executions)) / total_s;
    AddLatencies(res, std::move(latencies));
  }

  void Sleepers(Json& res) {
    const Json definition = {
        {"StartAt", "Sleep"},
        {"States", {{"Sleep", {{"Type", "Wait"}, {"Seconds", 31536000}, {"End", true}}}}}};
    const std::string arn = CreateMachine("sleepers", definition, "STANDARD");
    const double rss_before = args_.server_pid ? ProcStatusMb(args_.server_pid, "VmRSS") : 0;
    const auto t0 = SteadyClock::now();
    auto latencies = StartAll(arn);
    const double start_s = Seconds(SteadyClock::now() - t0);
    res["starts_per_s"] = static_cast<double>(args_.executions) / start_s;
    AddLatencies(res, std::move(latencies));
    if (args_.server_pid) {
      // Let the lanes finish committing the last first steps before reading the RSS.
      std::this_thread::sleep_for(std::chrono::seconds(2));
      res["server_rss_mb_before"] = rss_before;
      res["server_rss_mb"] = ProcStatusMb(args_.server_pid, "VmRSS");
      res["server_peak_rss_mb"] = ProcStatusMb(args_.server_pid, "VmHWM");
    }
  }

  void Express(Json& res) {
    const Json definition = {
        {"StartAt", "P"},
        {"States", {{"P", {{"Type", "Pass"}, {"Result", {{"ok", true}}}, {"End", true}}}}}};
    const std::string arn = CreateMachine("express", definition, "EXPRESS");
    const auto t0 = SteadyClock::now();
    auto latencies = RunConcurrently([&](ApiClient& client, int64_t i) {
      Json answer =
          client.Call("StartSyncExecution",
                      {{"stateMachineArn", arn}, {"input", R"({"i":)" + std::to_string(i) + "}"}});
      if (answer.value("status", "") != "SUCCEEDED") {
        throw std::runtime_error("execution " + std::to_string(i) + " " + json::Dump(answer));
      }
    });
    const double total_s = Seconds(SteadyClock::now() - t0);
    res["requests_per_s"] = static_cast<double>(args_.executions) / total_s;
    AddLatencies(res, std::move(latencies));
  }

 private:
  const Args& args_;
  std::string host_;
  std::string port_;
};

int Run(const Args& args) {
  Json res = Json::object();
  res["mode"] = args.mode;
  res["executions"] = args.executions;
  res["concurrency"] = args.concurrency;
  try {
    Bench bench(args);
    if (args.mode == "standard") {
      res["waits"] = args.waits;
      bench.Standard(res);
    } else if (args.mode == "sleepers") {
      bench.Sleepers(res);
    } else if (args.mode == "express") {
      bench.Express(res);
    } else {
      throw std::runtime_error("unknown --mode " + args.mode);
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
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--endpoint") {
      args.endpoint = value;
    } else if (key == "--mode") {
      args.mode = value;
    } else if (key == "--executions") {
      args.executions = std::stoll(value);
    } else if (key == "--concurrency") {
      args.concurrency = std::stoi(value);
    } else if (key == "--waits") {
      args.waits = std::stoi(value);
    } else if (key == "--server-pid") {
      args.server_pid = std::stoi(value);
    } else {
      std::cerr << "unknown argument " << key << "\n";
      return 2;
    }
  }
  if (args.mode.empty()) {
    std::cerr << "usage: api_load_bench --endpoint URL --mode standard|sleepers|express "
                 "[--executions N] [--concurrency C] [--waits K] [--server-pid PID]\n";
    return 2;
  }
  return flowstate::bench::Run(args);
}
