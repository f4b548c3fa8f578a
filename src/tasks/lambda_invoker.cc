#include "tasks/lambda_invoker.h"

#include <atomic>
#include <ctime>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "base/asio.h"
#include "tasks/lambda_result.h"

namespace flowstate::tasks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Lambda answers synchronously with at most 6 MB; anything bigger is over Step Functions' limit
// anyway, so the client stops reading there.
constexpr uint64_t kMaxBodyBytes = 16 * 1024 * 1024;
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;

struct Endpoint {
  std::string host;
  std::string port;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)
  std::string host_header;
};

base::Result<Endpoint> ParseEndpoint(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return base::Err(
        base::Status::InvalidArgument("Lambda endpoint must be an http:// URL: " + url));
  }
  std::string rest = url.substr(kScheme.size());
  Endpoint ep;
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    ep.path_prefix = rest.substr(slash);
    while (!ep.path_prefix.empty() && ep.path_prefix.back() == '/') ep.path_prefix.pop_back();
  }
  ep.host_header = authority;
  size_t colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) {
      return base::Err(base::Status::InvalidArgument("bad Lambda endpoint host: " + url));
    }
    ep.host = authority.substr(1, close - 1);
    ep.port = close + 1 < authority.size() && authority[close + 1] == ':'
                  ? authority.substr(close + 2)
                  : "80";
  } else if (colon != std::string::npos) {
    ep.host = authority.substr(0, colon);
    ep.port = authority.substr(colon + 1);
  } else {
    ep.host = authority;
    ep.port = "80";
  }
  if (ep.host.empty() || ep.port.empty()) {
    return base::Err(base::Status::InvalidArgument("bad Lambda endpoint host: " + url));
  }
  return ep;
}

// X-Amz-Date and a SigV4-shaped Authorization header. Local Invoke servers do not check the
// signature; `sam local` and run.py's stand-in read the region from its credential scope.
void AddDummySignature(http::request<http::string_body>& req, const std::string& region) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  req.set("X-Amz-Date", stamp);
  std::string auth = "AWS4-HMAC-SHA256 Credential=flowstate/";
  auth.append(stamp, 8);
  auth += "/" + region +
          "/lambda/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" +
          std::string(64, '0');
  req.set(http::field::authorization, auth);
}

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  bool reused = false;
};

struct Call {
  Call(asio::io_context& io, model::OutboundTask t, LambdaInvoker::Callback cb)
      : task(std::move(t)), done(std::move(cb)), deadline(io) {}
  model::OutboundTask task;  // without parameters: only what the answer's translation needs
  http::request<http::string_body> request;
  LambdaInvoker::Callback done;
  asio::steady_timer deadline;
  std::shared_ptr<Connection> conn;
  bool started = false;
  bool finished = false;
  bool retried = false;
};

}  // namespace

struct LambdaInvoker::Impl {
  explicit Impl(LambdaInvokerOptions opts, Endpoint ep)
      : options(std::move(opts)),
        endpoint(std::move(ep)),
        work(asio::make_work_guard(io)),
        resolver(io) {}

  LambdaInvokerOptions options;
  Endpoint endpoint;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::resolver resolver;
  std::thread thread;
  std::atomic<bool> stopped{false};
  // Touched on the I/O thread only.
  std::vector<std::shared_ptr<Connection>> idle;
  std::deque<std::shared_ptr<Call>> waiting;
  size_t active = 0;

  std::string HostPort() const { return endpoint.host + ":" + endpoint.port; }

  void Start(const std::shared_ptr<Call>& call) {
    auto timeout = call->task.timeout_seconds
                       ? std::chrono::milliseconds(*call->task.timeout_seconds * 1000) +
                             options.task_timeout_grace
                       : options.default_timeout;
    call->deadline.expires_after(timeout);
    call->deadline.async_wait([this, call](beast::error_code ec) {
      if (ec || call->finished) return;
      // Finish closes the call's socket; its pending resolve/connect/write/read then completes
      // and sees the call finished.
      Finish(call, LambdaTransportFailure(call->task, TransportFailure::kTimedOut, HostPort(), ""));
    });
    if (active >= options.max_connections) {
      waiting.push_back(call);
      return;
    }
    Dispatch(call);
  }

  void Dispatch(const std::shared_ptr<Call>& call) {
    call->started = true;
    ++active;
    if (!idle.empty()) {
      call->conn = std::move(idle.back());
      idle.pop_back();
      call->conn->reused = true;
      Send(call);
      return;
    }
    Connect(call);
  }

  void Connect(const std::shared_ptr<Call>& call) {
    call->conn = std::make_shared<Connection>(io);
    resolver.async_resolve(
        endpoint.host, endpoint.port,
        [this, call](beast::error_code ec, tcp::resolver::results_type results) {
          if (call->finished) return;
          if (ec) return FailTransport(call, TransportFailure::kConnectFailed, ec);
          asio::async_connect(call->conn->socket, results,
                              [this, call](beast::error_code cec, const tcp::endpoint&) {
                                if (call->finished) return;
                                if (cec) {
                                  return FailTransport(call, TransportFailure::kConnectFailed, cec);
                                }
                                beast::error_code ignored;
                                call->conn->socket.set_option(tcp::no_delay(true), ignored);
                                Send(call);
                              });
        });
  }

  void Send(const std::shared_ptr<Call>& call) {
    auto conn = call->conn;
    http::async_write(conn->socket, call->request,
                      [this, call, conn](beast::error_code ec, size_t) {
                        if (call->finished) return;
                        if (ec) return OnIoError(call, ec, /*got_answer=*/false);
                        Read(call);
                      });
  }

  void Read(const std::shared_ptr<Call>& call) {
    auto conn = call->conn;
    conn->parser.emplace();
    conn->parser->body_limit(kMaxBodyBytes);
    conn->parser->header_limit(kMaxHeaderBytes);
    http::async_read(conn->socket, conn->buffer, *conn->parser,
                     [this, call, conn](beast::error_code ec, size_t) {
                       if (call->finished) return;
                       if (ec) return OnIoError(call, ec, conn->parser->got_some());
                       OnAnswer(call, conn->parser->release());
                     });
  }

  void OnAnswer(const std::shared_ptr<Call>& call, http::response<http::string_body> res) {
    HttpAnswer answer;
    answer.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    answer.body = std::move(res.body());
    auto conn = std::move(call->conn);
    if (res.keep_alive() && !stopped) {
      conn->buffer.consume(conn->buffer.size());
      idle.push_back(std::move(conn));
    }
    Finish(call, LambdaResultFromResponse(call->task, answer));
  }

  void OnIoError(const std::shared_ptr<Call>& call, beast::error_code ec, bool got_answer) {
    if (ec == http::error::body_limit) {
      return FailTransport(call, TransportFailure::kBodyTooLarge, ec);
    }
    // A kept-alive connection the server has meanwhile closed: retry once on a fresh one, as the
    // SDKs do, as long as nothing of an answer arrived.
    if (call->conn && call->conn->reused && !got_answer && !call->retried) {
      call->retried = true;
      beast::error_code ignored;
      call->conn->socket.close(ignored);
      return Connect(call);
    }
    FailTransport(call, TransportFailure::kConnectionLost, ec);
  }

  void FailTransport(const std::shared_ptr<Call>& call, TransportFailure kind,
                     beast::error_code ec) {
    std::string detail = ec.message();
    if (kind == TransportFailure::kConnectFailed) {
      detail += " (" + ec.message() + ")";
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
               ec == http::error::partial_message) {
      detail = HostPort() + " failed to respond";
    }
    Finish(call, LambdaTransportFailure(call->task, kind, HostPort(), detail));
  }

  void Finish(const std::shared_ptr<Call>& call, TaskResult result) {
    if (call->finished) return;
    call->finished = true;
    call->deadline.cancel();
    if (call->started) {
      --active;
      if (call->conn) {
        beast::error_code ignored;
        call->conn->socket.close(ignored);
        call->conn.reset();
      }
    }
    auto done = std::move(call->done);
    done(std::move(result));
    while (!waiting.empty() && active < options.max_connections) {
      auto next = std::move(waiting.front());
      waiting.pop_front();
      if (!next->finished) Dispatch(next);
    }
  }
};

LambdaInvoker::LambdaInvoker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

base::Result<std::unique_ptr<LambdaInvoker>> LambdaInvoker::Create(LambdaInvokerOptions options) {
  auto endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint) return base::Err(endpoint.error());
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*endpoint));
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<LambdaInvoker>(new LambdaInvoker(std::move(impl)));
}

LambdaInvoker::~LambdaInvoker() { Stop(); }

void LambdaInvoker::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  // Handlers still queued hold the calls in flight; they are destroyed, never run, with the
  // io_context.
  impl_->idle.clear();
  impl_->waiting.clear();
}

void LambdaInvoker::Invoke(const model::OutboundTask& task, Callback done) {
  if (impl_->stopped) return;
  model::OutboundTask light;
  light.stamp = task.stamp;
  light.kind = task.kind;
  light.resource = task.resource;
  light.function_name = task.function_name;
  light.timeout_seconds = task.timeout_seconds;
  auto call = std::make_shared<Call>(impl_->io, std::move(light), std::move(done));

  auto built = BuildLambdaRequest(task);
  if (!built.ok) {
    asio::post(impl_->io, [call, failure = std::move(built.failure)]() mutable {
      call->finished = true;
      call->done(std::move(failure));
    });
    return;
  }
  const Endpoint& ep = impl_->endpoint;
  auto& req = call->request;
  req.method(http::verb::post);
  req.target(ep.path_prefix + built.request.target);
  req.version(11);
  req.set(http::field::host, ep.host_header);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "flowstate aws-sdk-java/1.12");
  req.set("X-Amz-Invocation-Type", built.request.invocation_type);
  if (!built.request.log_type.empty()) req.set("X-Amz-Log-Type", built.request.log_type);
  if (!built.request.client_context.empty()) {
    req.set("X-Amz-Client-Context", built.request.client_context);
  }
  AddDummySignature(req, impl_->options.region);
  req.body() = std::move(built.request.body);
  req.prepare_payload();
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, call] { impl->Start(call); });
}

}  // namespace flowstate::tasks
