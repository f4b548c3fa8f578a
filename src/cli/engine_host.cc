#include "cli/engine_host.h"

#include <cstdlib>

namespace flowstate::cli {

base::Result<std::unique_ptr<EngineHost>> EngineHost::Create(const std::string& lambda_endpoint,
                                                             const std::string& region) {
  std::unique_ptr<EngineHost> host(new EngineHost());
  if (!lambda_endpoint.empty()) {
    tasks::LambdaInvokerOptions options;
    options.endpoint = lambda_endpoint;
    options.region = region;
    auto invoker = tasks::LambdaInvoker::Create(options);
    if (!invoker) {
      return base::Err(invoker.error());
    }
    host->invoker_ = std::move(*invoker);
  }
  host->dispatcher_ = std::make_unique<runtime::LambdaTaskDispatcher>(host->invoker_.get());
  host->timers_.StartThread();
  host->runtime_ = std::make_unique<runtime::Runtime>(
      runtime::RuntimeOptions{}, host->store_, host->clock_, *host->dispatcher_, host->timers_);
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
    runtime_.reset();
  }
}

std::string LambdaEndpointOrEnv(const std::string& flag) {
  if (!flag.empty()) {
    return flag;
  }
  const char* env = std::getenv("LAMBDA_ENDPOINT");
  return env != nullptr ? env : "";
}

}  // namespace flowstate::cli
