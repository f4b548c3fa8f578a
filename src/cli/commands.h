// The subcommands of `flowstate`; each returns the process exit status.
#pragma once

#include <cstdint>
#include <string>

namespace flowstate::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8083;
  std::string lambda_endpoint;
  std::string region;                     // empty: AWS_DEFAULT_REGION, else us-east-1
  std::string account;                    // empty: AWS_ACCOUNT_ID, else 123456789012
  std::string data = "./flowstate-data";  // data directory, or ":memory:"
  double wait_time_scale = -1;            // < 0: WAIT_TIME_SCALE, else 1
  double timer_look_ahead_seconds = 60;   // persisted timers further out wait as rows
  std::string execution_logs;             // empty: <data>/execution-logs (stdout with :memory:)
};
int Serve(const ServeOptions& options);

struct RunOptions {
  std::string definition_path;
  std::string input = "{}";  // JSON text, or @file
  std::string lambda_endpoint;
};
int Run(const RunOptions& options);

struct ValidateOptions {
  std::string definition_path;
  bool express = false;
};
int Validate(const ValidateOptions& options);

// Reads a whole file; false (with a message on stderr) when it cannot.
bool ReadFile(const std::string& path, std::string& contents);

}  // namespace flowstate::cli
