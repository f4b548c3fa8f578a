#include "api/page_token.h"

#include <array>
#include <cstdint>

namespace flowstate::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxTokenChars = 1024;

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) {
      n |= static_cast<uint8_t>(data[i + 1]) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool Base64Decode(std::string_view text, std::string& out) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    value[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int>(i);
  }
  if (text.size() % 4 != 0) {
    return false;
  }
  uint32_t buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = value[static_cast<uint8_t>(c)];
    if (v < 0 || padding > 0) {
      return false;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return padding <= 2;
}

}  // namespace

std::string EncodePageToken(std::string_view operation, std::string_view cursor) {
  std::string plain(operation);
  plain += '\n';
  plain += cursor;
  return Base64Encode(plain);
}

ApiResult<std::string> DecodePageToken(std::string_view operation, std::string_view token) {
  std::string plain;
  if (token.size() > kMaxTokenChars || !Base64Decode(token, plain) ||
      plain.size() <= operation.size() || plain.compare(0, operation.size(), operation) != 0 ||
      plain[operation.size()] != '\n') {
    return Fail("InvalidToken", "Invalid Token: '" + std::string(token) + "'");
  }
  return plain.substr(operation.size() + 1);
}

}  // namespace flowstate::api
