#include "server/http_server.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace flowstate::server {
namespace {

// A blocking HTTP/1.1 client on one keep-alive connection, enough to test the server.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    timeval timeout{10, 0};  // hang guard only
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }

  bool connected() const { return connected_; }

  void Send(const std::string& raw) {
    size_t sent = 0;
    while (sent < raw.size()) {
      const ssize_t n = send(fd_, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        return;
      }
      sent += static_cast<size_t>(n);
    }
  }

  // Reads one response (headers + Content-Length body); "" on close or timeout.
  std::string ReadResponse() {
    while (true) {
      const size_t header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const size_t length_at = buffer_.find("Content-Length: ");
        size_t length = 0;
        if (length_at != std::string::npos && length_at < header_end) {
          length = std::stoul(buffer_.substr(length_at + 16));
        }
        if (buffer_.size() >= header_end + 4 + length) {
          std::string response = buffer_.substr(0, header_end + 4 + length);
          buffer_.erase(0, header_end + 4 + length);
          return response;
        }
      }
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        return "";
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Reads until `needle` has arrived; everything read so far (or "" on close or timeout).
  std::string ReadUntil(const std::string& needle) {
    while (buffer_.find(needle) == std::string::npos) {
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        return "";
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return buffer_;
  }

  void Disconnect() {
    close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string Post(const std::string& target, const std::string& body,
                 const std::string& host = "localhost") {
  return "POST / HTTP/1.1\r\nHost: " + host + "\r\nX-Amz-Target: " + target +
         "\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.body_limit = 1024;
  return options;
}

TEST(HttpServerTest, EchoesOverKeepAlive) {
  auto server = HttpServer::Start(TestOptions(), [](HttpRequest request, Responder respond) {
    respond(HttpResponse{200, "application/x-amz-json-1.0",
                         request.method + "|" + request.amz_target + "|" + request.body});
  });
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  Client client((*server)->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    client.Send(Post("AWSStepFunctions.Op" + std::to_string(i), "{}", "sync-127.0.0.1"));
    const std::string response = client.ReadResponse();
    EXPECT_NE(response.find("HTTP/1.1 200"), std::string::npos) << response;
    EXPECT_NE(response.find("POST|AWSStepFunctions.Op" + std::to_string(i) + "|{}"),
              std::string::npos)
        << response;
  }
}

TEST(HttpServerTest, ParkedRequestHoldsNoThread) {
  std::mutex mu;
  std::vector<Responder> parked;
  auto server = HttpServer::Start(TestOptions(), [&](HttpRequest request, Responder respond) {
    if (request.amz_target == "park") {
      std::lock_guard lock(mu);
      parked.push_back(std::move(respond));
      return;
    }
    respond(HttpResponse{200, "text/plain", "quick"});
  });
  ASSERT_TRUE(server.has_value());
  // More parked requests than server threads: a thread-per-request server would starve.
  std::vector<std::unique_ptr<Client>> parkers;
  for (int i = 0; i < 4; ++i) {
    parkers.push_back(std::make_unique<Client>((*server)->port()));
    parkers.back()->Send(Post("park", "{}"));
  }
  Client quick((*server)->port());
  quick.Send(Post("quick", "{}"));
  EXPECT_NE(quick.ReadResponse().find("quick"), std::string::npos);

  // Answer the parked ones from a foreign thread, as a lane does.
  while (true) {
    std::lock_guard lock(mu);
    if (parked.size() == 4) {
      break;
    }
  }
  std::thread([&] {
    std::lock_guard lock(mu);
    for (auto& respond : parked) {
      respond(HttpResponse{200, "text/plain", "late"});
    }
  }).join();
  for (auto& parker : parkers) {
    EXPECT_NE(parker->ReadResponse().find("late"), std::string::npos);
  }
}

TEST(HttpServerTest, BodyOverLimitIs413AndServerKeepsServing) {
  auto server = HttpServer::Start(TestOptions(), [](HttpRequest, Responder respond) {
    respond(HttpResponse{200, "text/plain", "ok"});
  });
  ASSERT_TRUE(server.has_value());
  {
    Client big((*server)->port());
    big.Send(Post("x", std::string(4096, 'a')));
    const std::string response = big.ReadResponse();
    EXPECT_NE(response.find("HTTP/1.1 413"), std::string::npos) << response;
    EXPECT_NE(response.find("__type"), std::string::npos);
  }
  {
    Client garbage((*server)->port());
    garbage.Send("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.ReadResponse(), "");  // closed, no crash
  }
  Client next((*server)->port());
  next.Send(Post("x", "{}"));
  EXPECT_NE(next.ReadResponse().find("HTTP/1.1 200"), std::string::npos);
}

TEST(HttpServerTest, StartFailsOnBadAddress) {
  HttpServerOptions options = TestOptions();
  options.host = "not an address";
  EXPECT_FALSE(HttpServer::Start(options, [](HttpRequest, Responder) {}).has_value());
}

TEST(HttpServerTest, StreamingResponseSendsChunksInOrderAndReportsTheClientLeaving) {
  std::mutex mu;
  std::shared_ptr<ResponseStream> open_stream;
  std::atomic<bool> closed{false};
  auto server = HttpServer::Start(TestOptions(), [&](HttpRequest, Responder respond) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.headers = {{"Cache-Control", "no-store"}};
    response.start_stream = [&](std::shared_ptr<ResponseStream> stream) {
      stream->OnClosed([&] { closed = true; });
      EXPECT_TRUE(stream->Send("data: one\n\n"));
      EXPECT_TRUE(stream->Send("data: two\n\n"));
      std::lock_guard lock(mu);
      open_stream = std::move(stream);
    };
    respond(std::move(response));
  });
  ASSERT_TRUE(server.has_value()) << server.error().ToString();
  Client client((*server)->port());
  ASSERT_TRUE(client.connected());
  client.Send("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const std::string got = client.ReadUntil("data: two");
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("Cache-Control: no-store"), std::string::npos) << got;
  EXPECT_LT(got.find("data: one"), got.find("data: two"));
  client.Disconnect();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!closed && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(closed);
  std::lock_guard lock(mu);
  ASSERT_TRUE(open_stream);
  EXPECT_FALSE(open_stream->Send("data: late\n\n"));
}

TEST(HttpServerTest, ClosingAStreamEndsTheChunkedBody) {
  auto server = HttpServer::Start(TestOptions(), [](HttpRequest, Responder respond) {
    HttpResponse response;
    response.start_stream = [](std::shared_ptr<ResponseStream> stream) {
      stream->Send("last words");
      stream->Close();
    };
    respond(std::move(response));
  });
  ASSERT_TRUE(server.has_value());
  Client client((*server)->port());
  client.Send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const std::string got = client.ReadUntil("\r\n0\r\n\r\n");
  EXPECT_NE(got.find("last words"), std::string::npos) << got;
}

}  // namespace
}  // namespace flowstate::server
