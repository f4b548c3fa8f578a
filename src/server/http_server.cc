#include "server/http_server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
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

// The ResponseStream of one connection: Send posts to the connection's strand, so writes keep
// their order whatever thread sends. Holds the connection weakly, as every Responder does.
class ConnectionStream final : public ResponseStream {
 public:
  explicit ConnectionStream(std::weak_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  bool Send(std::string bytes) override;
  void Close() override;
  void OnClosed(std::function<void()> closed) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_closed_ = std::move(closed);
        return;
      }
    }
    closed();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  // Called by the connection when it closes; runs the OnClosed callback once.
  void MarkClosed() {
    std::function<void()> closed;
    {
      std::lock_guard lock(mu_);
      if (closed_) {
        return;
      }
      closed_ = true;
      closed.swap(on_closed_);
    }
    if (closed) {
      closed();
    }
  }

 private:
  std::weak_ptr<Connection> connection_;
  mutable std::mutex mu_;
  bool closed_ = false;
  std::function<void()> on_closed_;
};

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

  ~Connection() {
    if (response_stream_) {
      response_stream_->MarkClosed();
    }
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Streaming responses: called through ConnectionStream, from any thread.
  void PostStreamSend(std::string bytes) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
                self->StreamSend(std::move(bytes));
              });
  }
  void PostStreamClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->StreamClose(); });
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
    const auto header = [&request](auto field) {
      auto it = request.find(field);
      return it == request.end() ? std::string() : std::string(it->value());
    };
    in.amz_target = header("X-Amz-Target");
    in.host = header(http::field::host);
    in.origin = header(http::field::origin);
    in.content_type = header(http::field::content_type);
    in.accept_encoding = header(http::field::accept_encoding);
    in.if_none_match = header(http::field::if_none_match);
    in.last_event_id = header("Last-Event-ID");
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
    if (response.start_stream) {
      WriteStreamHeader(std::move(response));
      return;
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      response_.set(name, value);
    }
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

  // A streaming response: chunked, never kept alive. Once the headers are out the handler gets
  // the stream; a read that can only end when the client goes away tells us it did.
  void WriteStreamHeader(HttpResponse response) {
    keep_alive_ = false;
    stream_header_.emplace();
    auto& header = *stream_header_;
    header.version(11);
    header.result(static_cast<unsigned>(response.status));
    header.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      header.set(name, value);
    }
    header.keep_alive(false);
    header.chunked(true);
    stream_serializer_.emplace(header);
    http::async_write_header(stream_, *stream_serializer_,
                             [self = shared_from_this(), start = std::move(response.start_stream)](
                                 beast::error_code ec, size_t) {
                               if (ec) {
                                 self->Close();
                                 return;
                               }
                               self->response_stream_ =
                                   std::make_shared<ConnectionStream>(self->weak_from_this());
                               self->WatchForClientClose();
                               start(self->response_stream_);
                             });
  }

  void WatchForClientClose() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->WatchForClientClose();  // a client has nothing to say here
                            });
  }

  void StreamSend(std::string bytes) {
    if (closed_ || stream_closing_ || bytes.empty()) {
      return;
    }
    stream_queue_.push_back(std::move(bytes));
    if (!stream_writing_) {
      WriteNextChunk();
    }
  }

  void StreamClose() {
    if (closed_) {
      return;
    }
    stream_closing_ = true;
    if (!stream_writing_) {
      WriteLastChunk();
    }
  }

  void WriteNextChunk() {
    stream_writing_ = true;
    net::async_write(stream_, http::make_chunk(net::buffer(stream_queue_.front())),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->stream_queue_.pop_front();
                       if (ec) {
                         self->Close();
                         return;
                       }
                       if (!self->stream_queue_.empty()) {
                         self->WriteNextChunk();
                         return;
                       }
                       self->stream_writing_ = false;
                       if (self->stream_closing_) {
                         self->WriteLastChunk();
                       }
                     });
  }

  void WriteLastChunk() {
    stream_writing_ = true;
    net::async_write(stream_, http::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }

  void Close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
    if (response_stream_) {
      response_stream_->MarkClosed();
    }
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
  bool closed_ = false;
  std::array<char, 16 * 1024> drain_buffer_{};
  // Streaming responses.
  std::optional<http::response<http::empty_body>> stream_header_;
  std::optional<http::response_serializer<http::empty_body>> stream_serializer_;
  std::shared_ptr<ConnectionStream> response_stream_;
  std::deque<std::string> stream_queue_;
  bool stream_writing_ = false;
  bool stream_closing_ = false;
};

bool ConnectionStream::Send(std::string bytes) {
  auto connection = connection_.lock();
  if (!connection || closed()) {
    return false;
  }
  connection->PostStreamSend(std::move(bytes));
  return true;
}

void ConnectionStream::Close() {
  if (auto connection = connection_.lock()) {
    connection->PostStreamClose();
  }
}

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
