// Benchmark helper: serves the workloads' trivial functions (noop, incr) through the Lambda Invoke
// HTTP API, so Flowstate's API benchmark calls them as it calls any Lambda endpoint.
//
//   bench_lambda_server [--port 0]     prints "listening PORT" on stdout, serves until killed
//
// POST /2015-03-31/functions/{name or ARN[:qualifier]}/invocations: noop returns the payload,
// incr returns {"i": payload.i + 1}; other names answer 404 ResourceNotFoundException. HTTP/1.1
// keep-alive, one I/O thread.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "base/asio.h"
#include "json/json.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string UrlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// "noop", "arn:aws:lambda:REGION:ACCOUNT:function:noop[:QUALIFIER]", "ACCOUNT:function:noop".
std::string FunctionName(std::string_view target) {
  constexpr std::string_view kPrefix = "/2015-03-31/functions/";
  if (target.rfind(kPrefix, 0) != 0) return {};
  target.remove_prefix(kPrefix.size());
  size_t end = target.find('/');
  if (end == std::string_view::npos) return {};
  std::string ref = UrlDecode(target.substr(0, end));
  if (size_t fn = ref.find("function:"); fn != std::string::npos) ref = ref.substr(fn + 9);
  return ref.substr(0, ref.find(':'));
}

void Answer(const http::request<http::string_body>& req, http::response<http::string_body>& res) {
  std::string name = FunctionName(std::string_view(req.target().data(), req.target().size()));
  res.version(11);
  res.set(http::field::content_type, "application/json");
  res.set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000");
  if (name == "noop") {
    res.result(http::status::ok);
    res.set("X-Amz-Executed-Version", "$LATEST");
    res.body() = req.body().empty() ? "{}" : req.body();
    return;
  }
  if (name == "incr") {
    auto in = flowstate::json::Parse(req.body());
    if (in && in->is_object() && in->contains("i") && (*in)["i"].is_number_integer()) {
      res.result(http::status::ok);
      res.set("X-Amz-Executed-Version", "$LATEST");
      res.body() = "{\"i\": " + std::to_string((*in)["i"].get<int64_t>() + 1) + "}";
      return;
    }
  }
  res.result(http::status::not_found);
  res.set("x-amzn-ErrorType", "ResourceNotFoundException");
  res.body() = "{\"Type\": \"User\", \"Message\": \"Function not found: " + name + "\"}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}
  void Read() {
    req_ = {};
    http::async_read(
        socket_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return;
          self->res_ = {};
          Answer(self->req_, self->res_);
          self->res_.keep_alive(self->req_.keep_alive());
          self->res_.prepare_payload();
          http::async_write(self->socket_, self->res_, [self](beast::error_code wec, size_t) {
            if (wec || !self->res_.keep_alive()) return;
            self->Read();
          });
        });
  }

 private:
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket))->Read();
    }
    Accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--port")
      port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
  }
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::cout << "listening " << acceptor.local_endpoint().port() << std::endl;
  Accept(acceptor);
  io.run();
}
