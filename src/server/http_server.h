// HttpServer is Flowstate's HTTP/1.1 front door (ARCHITECTURE.md §13): Boost.Beast with
// completion handlers, one io_context run by N threads, keep-alive connections with TCP_NODELAY,
// a request body cap and idle timeouts. It knows nothing of AWS: each request goes to a Handler,
// which answers through a Responder at any later time and from any thread, so a parked request
// (StartSyncExecution) holds no thread. A response may also stay open as a stream the handler
// keeps writing to (the console's server-sent events). Beast stays inside http_server.cc (pimpl).
// Thread-safe: Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace flowstate::server {

struct HttpRequest {
  std::string method;      // "GET", "POST", ...
  std::string target;      // "/", "/health"
  std::string amz_target;  // X-Amz-Target, empty when absent
  std::string body;
  // The headers the routes look at; empty when absent.
  std::string host;
  std::string origin;
  std::string content_type;
  std::string accept_encoding;
  std::string if_none_match;
  std::string last_event_id;  // an EventSource reconnecting
};

// The body of a streaming response, written piece by piece after the headers went out.
// Thread-safe: any thread may Send; the server writes in order on the connection's strand.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `bytes`; false once the connection is closed (nothing is sent then).
  virtual bool Send(std::string bytes) = 0;
  // Ends the response and closes the connection.
  virtual void Close() = 0;
  // `closed` runs once, on a server thread, when the connection closes for any reason (the
  // client went away, Close(), the server stopped); at once if it already has. Must not block.
  virtual void OnClosed(std::function<void()> closed) = 0;
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status_code, std::string type, std::string text)
      : status(status_code), content_type(std::move(type)), body(std::move(text)) {}

  int status = 200;
  std::string content_type = "application/x-amz-json-1.0";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // When set, the response is a stream: the server sends the status and headers (chunked, no
  // keep-alive), ignores `body`, and hands the stream to `start`.
  std::function<void(std::shared_ptr<ResponseStream>)> start_stream;
};

// Must be called exactly once per request.
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest, Responder)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8083;                         // 0 picks a free port (see HttpServer::port())
  int threads = 0;                              // 0 = one per core
  size_t body_limit = 1024 * 1024 + 64 * 1024;  // AWS: a request is at most 1 MB
  std::chrono::seconds idle_timeout{75};        // a keep-alive connection with no request closes
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. IoError when the address cannot be bound.
  static base::Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                         Handler handler);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowstate::server
