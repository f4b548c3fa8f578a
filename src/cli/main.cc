// The `flowstate` command line: serve, run, validate, jsonata.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "query/jsonata/line_protocol.h"

int main(int argc, char** argv) {
  using flowstate::cli::RunOptions;
  using flowstate::cli::ServeOptions;
  using flowstate::cli::ValidateOptions;

  CLI::App app{"Flowstate: AWS Step Functions state machines, self-hosted", "flowstate"};
  app.require_subcommand(1);

  ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve the Step Functions API over HTTP");
  serve_cmd->add_option("--host", serve.host, "Address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "Port to listen on (0 picks one)")
      ->capture_default_str();
  serve_cmd->add_option("--lambda-endpoint", serve.lambda_endpoint,
                        "Lambda Invoke API endpoint for Lambda tasks (env LAMBDA_ENDPOINT)");
  serve_cmd->add_option("--region", serve.region,
                        "Region in ARNs (env AWS_DEFAULT_REGION, default us-east-1)");
  serve_cmd->add_option("--account", serve.account,
                        "Account id in ARNs (env AWS_ACCOUNT_ID, default 123456789012)");
  serve_cmd
      ->add_option("--data", serve.data,
                   "Directory of the durable store (SQLite; created when missing). ':memory:' "
                   "keeps everything in memory, lost on exit")
      ->capture_default_str();
  serve_cmd
      ->add_option("--wait-time-scale", serve.wait_time_scale,
                   "Scale Wait states and Retry intervals by this factor, e.g. 0.01 (env "
                   "WAIT_TIME_SCALE, default 1)")
      ->check(CLI::NonNegativeNumber);
  serve_cmd
      ->add_option("--timer-look-ahead", serve.timer_look_ahead_seconds,
                   "Seconds of durable timers held in memory; executions sleeping longer wait "
                   "as database rows only")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd->add_option(
      "--execution-logs", serve.execution_logs,
      "Where state machines with a LoggingConfiguration log their executions' events, as JSON "
      "lines: a directory (one <log group name>.log per log group) or '-' for stdout (default "
      "<data>/execution-logs; stdout with --data :memory:)");

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run one execution and print its output JSON");
  run_cmd->add_option("definition", run.definition_path, "ASL definition file")->required();
  run_cmd->add_option("--input", run.input, "Execution input: JSON text or @file")
      ->capture_default_str();
  run_cmd->add_option("--lambda-endpoint", run.lambda_endpoint,
                      "Lambda Invoke API endpoint for Lambda tasks (env LAMBDA_ENDPOINT)");

  ValidateOptions validate;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Validate a definition; exit 1 when it is invalid");
  validate_cmd->add_option("definition", validate.definition_path, "ASL definition file")
      ->required();
  validate_cmd->add_flag("--express", validate.express, "Validate as an EXPRESS state machine");

  flowstate::query::jsonata::LineProtocolOptions jsonata;
  CLI::App* jsonata_cmd = app.add_subcommand(
      "jsonata",
      "Evaluate JSONata requests, one JSON object per line on stdin, one answer per line on "
      "stdout (the JSONata conformance suite's line protocol)");
  jsonata_cmd->add_flag("--enable-eval", jsonata.enable_eval,
                        "Provide $eval (absent from Step Functions' JSONata)");

  CLI11_PARSE(app, argc, argv);
  if (jsonata_cmd->parsed()) {
    std::ios::sync_with_stdio(false);
    return flowstate::query::jsonata::RunJsonataLineProtocol(std::cin, std::cout, jsonata);
  }
  if (serve_cmd->parsed()) {
    return flowstate::cli::Serve(serve);
  }
  if (run_cmd->parsed()) {
    return flowstate::cli::Run(run);
  }
  return flowstate::cli::Validate(validate);
}
