// Pieces the benchmark programs share: a keep-alive AWS JSON 1.0 client for the Step Functions
// API, the output check the peer's driver makes, and the median.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/asio.h"
#include "json/json.h"

namespace flowstate::bench {

// One keep-alive connection speaking AWS JSON 1.0; a non-200 or non-JSON answer throws.
class ApiClient {
 public:
  ApiClient(const std::string& host, const std::string& port) : host_(host), socket_(io_) {
    boost::asio::ip::tcp::resolver resolver(io_);
    boost::asio::connect(socket_, resolver.resolve(host, port));
    socket_.set_option(boost::asio::ip::tcp::no_delay(true));
  }

  json::Json Call(const std::string& operation, const json::Json& body) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req(http::verb::post, "/", 11);
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "AWSStepFunctions." + operation);
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, "
            "SignedHeaders=host, Signature=0");
    req.body() = json::Dump(body);
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    auto parsed = json::Parse(res.body());
    if (!parsed) {
      throw std::runtime_error(operation + ": non-JSON answer " + res.body().substr(0, 200));
    }
    if (res.result_int() != 200) {
      throw std::runtime_error(operation + " " + std::to_string(res.result_int()) + ": " +
                               res.body().substr(0, 300));
    }
    return std::move(*parsed);
  }

 private:
  std::string host_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// Equality as the peer's driver checks it: key order ignored, numbers by value. On a mismatch,
// `where` names the first difference.
inline bool SameValue(const json::Json& a, const json::Json& b, std::string& where,
                      const std::string& path) {
  if (a.is_number() && b.is_number()) {
    if (a.get<double>() == b.get<double>()) return true;
  } else if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) {
      where = path + ": object has " + std::to_string(a.size()) + " keys, want " +
              std::to_string(b.size());
      return false;
    }
    for (auto it = b.begin(); it != b.end(); ++it) {
      auto found = a.find(it.key());
      if (found == a.end()) {
        where = path + "." + it.key() + ": missing";
        return false;
      }
      if (!SameValue(*found, it.value(), where, path + "." + it.key())) return false;
    }
    return true;
  } else if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) {
      where =
          path + ": array length " + std::to_string(a.size()) + " want " + std::to_string(b.size());
      return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i], where, path + "[" + std::to_string(i) + "]")) return false;
    }
    return true;
  } else if (a == b) {
    return true;
  }
  where = path + ": got " + json::Dump(a).substr(0, 80) + " want " + json::Dump(b).substr(0, 80);
  return false;
}

inline double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

}  // namespace flowstate::bench
