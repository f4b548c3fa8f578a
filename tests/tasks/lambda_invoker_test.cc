#include "tasks/lambda_invoker.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "base/asio.h"
#include "json/json.h"

namespace flowstate::tasks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json::Json;

struct Request {
  std::string target;
  std::string body;
  std::string invocation_type;
  std::string authorization;
};

// What the test server does with one request: answer it (keep_alive false closes the
// connection after the answer), or hold it unanswered.
struct Reply {
  bool hold = false;
  bool keep_alive = true;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A small Lambda Invoke API server on 127.0.0.1:<ephemeral> running on its own thread.
class TestServer {
 public:
  explicit TestServer(std::function<Reply(const Request&)> handler)
      : handler_(std::move(handler)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      for (auto& s : sessions_) s->socket.close(ignored);
    });
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }
  Request last_request() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  struct Session {
    explicit Session(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      ++connections_;
      auto session = std::make_shared<Session>(io_);
      session->socket = std::move(socket);
      sessions_.push_back(session);
      Read(session);
      Accept();
    });
  }

  void Read(const std::shared_ptr<Session>& s) {
    s->req = {};
    http::async_read(s->socket, s->buffer, s->req, [this, s](beast::error_code ec, size_t) {
      if (ec) return;
      ++requests_;
      Request request{std::string(s->req.target()), s->req.body(),
                      std::string(s->req["X-Amz-Invocation-Type"]),
                      std::string(s->req[http::field::authorization])};
      {
        std::lock_guard lock(mu_);
        last_ = request;
      }
      Reply reply = handler_(request);
      if (reply.hold) return;
      s->res = {};
      s->res.result(reply.status);
      s->res.version(11);
      for (auto& [k, v] : reply.headers) s->res.set(k, v);
      s->res.keep_alive(reply.keep_alive);
      s->res.body() = reply.body;
      s->res.prepare_payload();
      http::async_write(s->socket, s->res,
                        [this, s, keep = reply.keep_alive](beast::error_code wec, size_t) {
                          if (wec) return;
                          if (!keep) {
                            beast::error_code ignored;
                            s->socket.shutdown(tcp::socket::shutdown_both, ignored);
                            s->socket.close(ignored);
                            return;
                          }
                          Read(s);
                        });
    });
  }

  std::function<Reply(const Request&)> handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  Request last_;
};

// Collects callbacks and lets the test wait for them (no sleeps: a condition variable).
class Results {
 public:
  LambdaInvoker::Callback Sink() {
    return [this](TaskResult r) {
      std::lock_guard lock(mu_);
      results_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  std::vector<TaskResult> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    bool got = cv_.wait_for(lock, std::chrono::seconds(30), [&] { return results_.size() >= n; });
    EXPECT_TRUE(got) << "callbacks did not arrive";
    return {results_.begin(), results_.end()};
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<TaskResult> results_;
};

Reply Held() {
  Reply r;
  r.hold = true;
  return r;
}

Reply Identity(const Request& req) {
  Reply r;
  r.headers = {{"Content-Type", "application/json"},
               {"x-amzn-RequestId", "rid"},
               {"X-Amz-Executed-Version", "$LATEST"}};
  r.body = req.body.empty() ? "{}" : req.body;
  return r;
}

model::OutboundTask Invoke(std::string function, Json payload) {
  model::OutboundTask task;
  task.kind = model::TaskKind::kLambdaInvoke;
  task.resource = "arn:aws:states:::lambda:invoke";
  task.parameters = Json::object();
  task.parameters["FunctionName"] = std::move(function);
  task.parameters["Payload"] = std::move(payload);
  return task;
}

std::unique_ptr<LambdaInvoker> MakeInvoker(
    const std::string& endpoint, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  LambdaInvokerOptions options;
  options.endpoint = endpoint;
  options.default_timeout = timeout;
  options.task_timeout_grace = std::chrono::milliseconds(0);
  auto invoker = LambdaInvoker::Create(options);
  EXPECT_TRUE(invoker.has_value());
  return std::move(*invoker);
}

TEST(LambdaInvokerTest, RejectsNonHttpEndpoints) {
  EXPECT_FALSE(LambdaInvoker::Create({.endpoint = "ftp://x"}).has_value());
  EXPECT_FALSE(LambdaInvoker::Create({.endpoint = "http://"}).has_value());
}

TEST(LambdaInvokerTest, InvokesAndReusesOneKeepAliveConnection) {
  TestServer server(Identity);
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  for (int i = 0; i < 5; ++i) {
    invoker->Invoke(Invoke("fn", Json::parse("{\"i\": " + std::to_string(i) + "}")),
                    results.Sink());
    results.WaitFor(static_cast<size_t>(i + 1));  // sequential calls: one connection serves all
  }
  auto all = results.WaitFor(5);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(all[static_cast<size_t>(i)].ok) << all[static_cast<size_t>(i)].cause;
    EXPECT_EQ(all[static_cast<size_t>(i)].output["Payload"]["i"], i);
    EXPECT_EQ(all[static_cast<size_t>(i)].output["StatusCode"], 200);
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests(), 5);
  Request last = server.last_request();
  EXPECT_EQ(last.target, "/2015-03-31/functions/fn/invocations");
  EXPECT_EQ(last.body, R"({"i":4})");
  EXPECT_EQ(last.invocation_type, "RequestResponse");
  EXPECT_EQ(last.authorization.rfind("AWS4-HMAC-SHA256 Credential=", 0), 0u);
  EXPECT_NE(last.authorization.find("/us-east-1/lambda/aws4_request"), std::string::npos);
}

TEST(LambdaInvokerTest, ConcurrentCallsAllComplete) {
  TestServer server(Identity);
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  constexpr int kCalls = 200;
  for (int i = 0; i < kCalls; ++i) invoker->Invoke(Invoke("fn", Json(i)), results.Sink());
  auto all = results.WaitFor(kCalls);
  std::vector<int> seen;
  for (const auto& r : all) {
    ASSERT_TRUE(r.ok) << r.cause;
    seen.push_back(r.output["Payload"].get<int>());
  }
  std::sort(seen.begin(), seen.end());
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
  EXPECT_LE(server.connections(), kCalls);
}

TEST(LambdaInvokerTest, LegacyResourceGetsTheBareResult) {
  TestServer server(Identity);
  auto invoker = MakeInvoker(server.endpoint());
  model::OutboundTask task;
  task.kind = model::TaskKind::kLambdaLegacy;
  task.resource = "arn:aws:lambda:us-east-1:111111111111:function:fn";
  task.function_name = task.resource;
  task.parameters = Json::parse(R"({"a": "b"})");
  Results results;
  invoker->Invoke(task, results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_TRUE(r.ok) << r.cause;
  EXPECT_EQ(json::Dump(r.output), R"({"a":"b"})");
  EXPECT_EQ(server.last_request().target,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A111111111111%3Afunction%3Afn/"
            "invocations");
}

TEST(LambdaInvokerTest, UnknownFunctionIsAServiceError) {
  TestServer server([](const Request&) {
    Reply r;
    r.status = 404;
    r.headers = {{"x-amzn-RequestId", "rid-9"}, {"x-amzn-ErrorType", "ResourceNotFoundException"}};
    r.body =
        R"({"Type": "User", "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST"})";
    return r;
  });
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  invoker->Invoke(Invoke("nope", nullptr), results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "Lambda.ResourceNotFoundException");
  EXPECT_EQ(r.cause,
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST "
            "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request "
            "ID: rid-9; Proxy: null)");
}

TEST(LambdaInvokerTest, FunctionErrorIsReported) {
  TestServer server([](const Request&) {
    Reply r;
    r.headers = {{"X-Amz-Function-Error", "Unhandled"}, {"x-amzn-RequestId", "rid"}};
    r.body =
        R"({"errorMessage": "bad", "errorType": "ValueError", "requestId": "rid", "stackTrace": []})";
    return r;
  });
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  invoker->Invoke(Invoke("raiser", nullptr), results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "ValueError");
  EXPECT_EQ(r.cause,
            R"({"errorMessage":"bad","errorType":"ValueError","requestId":"rid","stackTrace":[]})");
}

TEST(LambdaInvokerTest, ServerClosingAfterEachAnswerStillServesEveryCall) {
  TestServer server([](const Request& req) {
    Reply r = Identity(req);
    r.keep_alive = false;
    return r;
  });
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  for (int i = 0; i < 3; ++i) {
    invoker->Invoke(Invoke("fn", Json(i)), results.Sink());
    results.WaitFor(static_cast<size_t>(i + 1));
  }
  for (const auto& r : results.WaitFor(3)) EXPECT_TRUE(r.ok) << r.cause;
  EXPECT_EQ(server.connections(), 3);
}

TEST(LambdaInvokerTest, ConnectionRefusedIsAnSdkClientException) {
  int port;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  auto invoker = MakeInvoker("http://127.0.0.1:" + std::to_string(port));
  Results results;
  invoker->Invoke(Invoke("fn", nullptr), results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error, "Lambda.SdkClientException");
  EXPECT_NE(r.cause.find("Connect to 127.0.0.1:" + std::to_string(port) + " failed"),
            std::string::npos)
      << r.cause;
}

TEST(LambdaInvokerTest, UnansweredCallTimesOutPerTaskTimeout) {
  TestServer server([](const Request&) { return Held(); });
  auto invoker = MakeInvoker(server.endpoint());
  Results results;
  auto task = Invoke("sleepy", nullptr);
  task.timeout_seconds = 1;
  invoker->Invoke(task, results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_FALSE(r.ok);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.error, "States.Timeout");
  EXPECT_EQ(r.cause, "");
}

TEST(LambdaInvokerTest, UnansweredCallWithoutTaskTimeoutHitsTheClientDeadline) {
  TestServer server([](const Request&) { return Held(); });
  auto invoker = MakeInvoker(server.endpoint(), std::chrono::milliseconds(100));
  Results results;
  invoker->Invoke(Invoke("sleepy", nullptr), results.Sink());
  auto r = results.WaitFor(1)[0];
  ASSERT_FALSE(r.ok);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, "Lambda.SdkClientException");
  EXPECT_EQ(r.cause, "Unable to execute HTTP request: Read timed out");
}

TEST(LambdaInvokerTest, StopDropsCallsInFlightAndIsIdempotent) {
  TestServer server([](const Request&) { return Held(); });
  auto invoker = MakeInvoker(server.endpoint());
  std::atomic<int> callbacks{0};
  for (int i = 0; i < 3; ++i)
    invoker->Invoke(Invoke("fn", nullptr), [&](TaskResult) { ++callbacks; });
  invoker->Stop();
  invoker->Stop();
  invoker->Invoke(Invoke("fn", nullptr), [&](TaskResult) { ++callbacks; });
  invoker.reset();
  EXPECT_EQ(callbacks.load(), 0);
}

}  // namespace
}  // namespace flowstate::tasks
