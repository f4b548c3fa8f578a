// `flowstate serve`: the Step Functions API on HTTP until SIGINT/SIGTERM.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <pthread.h>

#include "api/api.h"
#include "cli/commands.h"
#include "cli/engine_host.h"
#include "server/console_events.h"
#include "server/http_server.h"
#include "server/router.h"

namespace flowstate::cli {
namespace {

std::string FlagOrEnv(const std::string& flag, const char* env, const char* fallback) {
  if (!flag.empty()) {
    return flag;
  }
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int Serve(const ServeOptions& options) {
  // Block the stop signals in every thread (threads inherit the mask); sigwait below takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  api::ApiOptions api_options;
  api_options.scope.region = FlagOrEnv(options.region, "AWS_DEFAULT_REGION", "us-east-1");
  api_options.scope.account = FlagOrEnv(options.account, "AWS_ACCOUNT_ID", "123456789012");
  const std::string lambda_endpoint = LambdaEndpointOrEnv(options.lambda_endpoint);

  auto wait_time_scale = WaitTimeScaleOrEnv(options.wait_time_scale);
  if (!wait_time_scale) {
    std::cerr << "flowstate: " << wait_time_scale.error().message() << "\n";
    return 1;
  }
  EngineHostOptions host_options;
  host_options.lambda_endpoint = lambda_endpoint;
  host_options.region = api_options.scope.region;
  host_options.data = options.data;
  host_options.wait_time_scale = *wait_time_scale;
  host_options.timer_look_ahead_seconds = options.timer_look_ahead_seconds;
  host_options.execution_logs = !options.execution_logs.empty() ? options.execution_logs
                                : options.data == kMemoryData   ? "-"
                                                                : options.data + "/execution-logs";
  auto host = EngineHost::Create(host_options);
  if (!host) {
    std::cerr << "flowstate: " << host.error().message() << "\n";
    return 1;
  }
  api::Api api(api_options, (*host)->store(), (*host)->runtime(), (*host)->clock());
  server::HttpServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server::ConsoleEvents console_events(api, (*host)->runtime().feed());
  auto server = server::HttpServer::Start(server_options,
                                          server::MakeRouter(api, console_events, options.host));
  if (!server) {
    std::cerr << "flowstate: " << server.error().message() << "\n";
    return 1;
  }
  std::cout << "Flowstate serving the Step Functions API and its console on http://" << options.host
            << ":" << (*server)->port() << " (region " << api_options.scope.region << ", account "
            << api_options.scope.account << ")\n";
  if (options.data == kMemoryData) {
    std::cout << "Data in memory only (--data :memory:): nothing survives a restart\n";
  } else {
    std::cout << "Data in " << options.data << " (" << (*host)->recovered()
              << " running executions resumed)\n";
  }
  std::cout << "Execution logs (LoggingConfiguration) go to "
            << (host_options.execution_logs == "-" ? std::string("stdout")
                                                   : host_options.execution_logs)
            << "\n";
  if (*wait_time_scale != 1.0) {
    std::cout << "Wait states and Retry intervals scaled by " << *wait_time_scale << "\n";
  }
  if (!lambda_endpoint.empty()) {
    std::cout << "Lambda tasks call " << lambda_endpoint << "\n";
  }
  std::cout << "StartSyncExecution: SDKs prefix the host with 'sync-'; set "
               "AWS_DISABLE_HOST_PREFIX_INJECTION=true (boto3: "
               "Config(inject_host_prefix=False)).\n"
            << std::flush;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "flowstate: stopping\n" << std::flush;
  // The server stops reading first; the runtime then drops waiters (parked responses) while the
  // server's io_context still exists; the server object goes last.
  (*server)->Stop();
  console_events.Stop();
  (*host)->Shutdown();
  return 0;
}

}  // namespace flowstate::cli
