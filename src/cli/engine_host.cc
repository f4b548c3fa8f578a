#include "cli/engine_host.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"

namespace flowstate::cli {
namespace {

constexpr const char* kDatabaseFile = "flowstate.db";

base::Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data) {
  if (data == kMemoryData) {
    return std::unique_ptr<store::Store>(std::make_unique<store::MemoryStore>());
  }
  std::error_code error;
  std::filesystem::create_directories(data, error);
  if (error) {
    return base::Err(base::Status::IoError("cannot create the data directory '" + data +
                                           "': " + error.message()));
  }
  store::SqliteOptions options;
  options.path = (std::filesystem::path(data) / kDatabaseFile).string();
  auto opened = store::SqliteStore::Open(options);
  if (!opened) {
    return base::Err(base::Status::IoError("cannot open the data directory '" + data +
                                           "': " + opened.error().message()));
  }
  return std::unique_ptr<store::Store>(std::move(*opened));
}

}  // namespace

base::Result<std::unique_ptr<EngineHost>> EngineHost::Create(const EngineHostOptions& options) {
  std::unique_ptr<EngineHost> host(new EngineHost());
  auto store = OpenStore(options.data);
  if (!store) {
    return base::Err(store.error());
  }
  host->store_ = std::move(*store);
  if (!options.lambda_endpoint.empty()) {
    tasks::LambdaInvokerOptions invoker_options;
    invoker_options.endpoint = options.lambda_endpoint;
    invoker_options.region = options.region;
    auto invoker = tasks::LambdaInvoker::Create(invoker_options);
    if (!invoker) {
      return base::Err(invoker.error());
    }
    host->invoker_ = std::move(*invoker);
  }
  host->dispatcher_ = std::make_unique<runtime::LambdaTaskDispatcher>(host->invoker_.get());
  host->timers_.StartThread();
  host->log_writer_ = std::make_unique<runtime::ExecutionLogWriter>(options.execution_logs);
  runtime::RuntimeOptions runtime_options;
  runtime_options.wait_time_scale = options.wait_time_scale;
  runtime_options.timer_look_ahead = std::chrono::milliseconds(
      static_cast<int64_t>(std::llround(options.timer_look_ahead_seconds * 1000.0)));
  runtime_options.log_writer = host->log_writer_.get();
  host->runtime_ = std::make_unique<runtime::Runtime>(runtime_options, *host->store_, host->clock_,
                                                      *host->dispatcher_, host->timers_);
  auto recovered = host->runtime_->Recover();
  if (!recovered) {
    return base::Err(recovered.error());
  }
  host->recovered_ = *recovered;
  return host;
}

EngineHost::~EngineHost() { Shutdown(); }

void EngineHost::Shutdown() {
  if (invoker_) {
    invoker_->Stop();
  }
  timers_.Stop();
  if (runtime_) {
    runtime_->Shutdown();
  }
  // The store finishes its queued writes; their callbacks may still call into the (stopped)
  // runtime, which drops what they post. Only then does the runtime go.
  store_.reset();
  runtime_.reset();
}

std::string LambdaEndpointOrEnv(const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  const char* env = std::getenv("LAMBDA_ENDPOINT");
  return env != nullptr ? env : "";
}

base::Result<double> WaitTimeScaleOrEnv(double flag) {
  if (flag >= 0) {
    return flag;
  }
  const char* env = std::getenv("WAIT_TIME_SCALE");
  if (env == nullptr || *env == '\0') {
    return 1.0;
  }
  char* end = nullptr;
  const double value = std::strtod(env, &end);
  if (end == env || *end != '\0' || !std::isfinite(value) || value < 0) {
    return base::Err(base::Status::InvalidArgument(
        std::string("WAIT_TIME_SCALE must be a number >= 0, not '") + env + "'"));
  }
  return value;
}

}  // namespace flowstate::cli
