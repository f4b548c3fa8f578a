#include "server/http_server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/asio.h"

namespace flowstate::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

constexpr size_t kHeaderLimit = 64 * 1024;
constexpr std::chrono::seconds kDrainTimeout{10};

std::string ErrorBody(std::string_view type, std::string_view message) {
  std::string body = R"({"__type":")";
  body += type;
  body += R"(","message":")";
  body += message;
  body += R"("})";
  return body;
}

class Connection;

// Owns every open connection, so the server can close them all while its io_context still
// exists: a Responder held elsewhere (a parked StartSyncExecution in a lane) refers to its
// connection only weakly and never keeps a socket alive past the server. Thread-safe.
class ConnectionRegistry {
 public:
  void Add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mu_);
    connections_.emplace(connection.get(), connection);
  }
  void Remove(const Connection* connection) {
    std::shared_ptr<Connection> last;  // destroyed outside the lock
    std::lock_guard lock(mu_);
    if (auto it = connections_.find(connection); it != connections_.end()) {
      last = std::move(it->second);
      connections_.erase(it);
    }
  }
  void Clear() {
    std::unordered_map<const Connection*, std::shared_ptr<Connection>> dropped;
    {
      std::lock_guard lock(mu_);
      dropped.swap(connections_);
    }
  }

 private:
  std::mutex mu_;
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> connections_;
};

// One client connection: read a request, hand it to the handler, write the answer, repeat while
// the client keeps the connection alive. Every step runs on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const HttpServerOptions& options, const Handler& handler,
             ConnectionRegistry& registry)
      : stream_(std::move(socket)), options_(options), handler_(handler), registry_(registry) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(options_.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      drain_ = true;
      Write(HttpResponse{413, "application/x-amz-json-1.0",
                         ErrorBody("RequestEntityTooLargeException",
                                   "Request size exceeds the limit of " +
                                       std::to_string(options_.body_limit) + " bytes")});
      return;
    }
    if (ec) {
      Close();  // end of stream, timeout, reset or a malformed request: nothing to answer
      return;
    }
    http::request<http::string_body> request = parser_->release();
    keep_alive_ = request.keep_alive();
    stream_.expires_never();  // the handler may take minutes (StartSyncExecution)
    HttpRequest in;
    in.method = std::string(request.method_string());
    in.target = std::string(request.target());
    if (auto it = request.find("X-Amz-Target"); it != request.end()) {
      in.amz_target = std::string(it->value());
    }
    in.body = std::move(request.body());
    handler_(std::move(in), [weak = weak_from_this()](HttpResponse response) {
      auto self = weak.lock();
      if (!self) {
        return;  // the server closed the connection meanwhile
      }
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::content_type, response.content_type);
    response_.keep_alive(keep_alive_);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (!ec && drain_) {
      Drain();
      return;
    }
    if (ec || !keep_alive_) {
      Close();
      return;
    }
    Read();
  }

  // Lingering close after refusing a request early: stop sending, but keep reading (and
  // discarding) what the client is still sending, so it finishes its write and reads our answer
  // instead of getting a reset.
  void Drain() {
    if (!drain_started_) {
      drain_started_ = true;
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream_.expires_after(kDrainTimeout);
    }
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
    registry_.Remove(this);
  }

  beast::tcp_stream stream_;
  const HttpServerOptions& options_;
  const Handler& handler_;
  ConnectionRegistry& registry_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  bool drain_ = false;
  bool drain_started_ = false;
  std::array<char, 16 * 1024> drain_buffer_{};
};

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  net::io_context ioc;
  ConnectionRegistry registry;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::once_flag stopped;

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) {
        return;
      }
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection =
            std::make_shared<Connection>(std::move(socket), options, handler, registry);
        registry.Add(connection);
        connection->Run();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

base::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                            Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    return base::Err(base::Status::InvalidArgument("invalid host address '" + options.host +
                                                   "': " + ec.message()));
  }
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); !ec) {
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return base::Err(base::Status::IoError("cannot listen on " + options.host + ":" +
                                           std::to_string(options.port) + ": " + ec.message()));
  }
  impl->port = acceptor.local_endpoint().port();
  impl->Accept();
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(threads, 1);
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([ioc = &impl->ioc] { ioc->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  std::call_once(impl_->stopped, [this] {
    net::post(impl_->ioc, [this] {
      beast::error_code ignored;
      impl_->acceptor.close(ignored);
    });
    impl_->ioc.stop();
    for (auto& thread : impl_->threads) {
      thread.join();
    }
    impl_->registry.Clear();
  });
}

}  // namespace flowstate::server
