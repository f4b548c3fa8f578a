#include "query/intrinsic_functions.h"

#include <array>
#include <climits>
#include <cmath>
#include <optional>
#include <random>

#include <openssl/evp.h>

#include "base/base64.h"
#include "base/rng.h"
#include "json/json.h"
#include "query/intrinsic.h"
#include "query/java_text.h"
#include "query/json_equal.h"

namespace flowstate::query {
namespace {

using json::Json;
using Args = std::span<const Json* const>;
using Outcome = tl::expected<Json, base::AslError>;

constexpr size_t kMaxRangeItems = 1000;
constexpr size_t kMaxEncodedChars = 10000;

constexpr size_t kVariadic = SIZE_MAX;

constexpr std::array<IntrinsicSpec, 18> kFunctions = {{
    {"States.Format", IntrinsicFn::kFormat, 1, kVariadic},
    {"States.StringToJson", IntrinsicFn::kStringToJson, 1, 1},
    {"States.JsonToString", IntrinsicFn::kJsonToString, 1, 1},
    {"States.Array", IntrinsicFn::kArray, 0, kVariadic},
    {"States.ArrayPartition", IntrinsicFn::kArrayPartition, 2, 2},
    {"States.ArrayContains", IntrinsicFn::kArrayContains, 2, 2},
    {"States.ArrayRange", IntrinsicFn::kArrayRange, 3, 3},
    {"States.ArrayGetItem", IntrinsicFn::kArrayGetItem, 2, 2},
    {"States.ArrayLength", IntrinsicFn::kArrayLength, 1, 1},
    {"States.ArrayUnique", IntrinsicFn::kArrayUnique, 1, 1},
    {"States.Base64Encode", IntrinsicFn::kBase64Encode, 1, 1},
    {"States.Base64Decode", IntrinsicFn::kBase64Decode, 1, 1},
    {"States.Hash", IntrinsicFn::kHash, 2, 2},
    {"States.JsonMerge", IntrinsicFn::kJsonMerge, 3, 3},
    {"States.MathRandom", IntrinsicFn::kMathRandom, 2, 3},
    {"States.MathAdd", IntrinsicFn::kMathAdd, 2, 2},
    {"States.StringSplit", IntrinsicFn::kStringSplit, 2, 2},
    {"States.UUID", IntrinsicFn::kUuid, 0, 0},
}};

tl::unexpected<base::AslError> Invalid(const IntrinsicSpec& spec) {
  return tl::unexpected(
      base::AslError{kIntrinsicRuntimeError, "Invalid arguments in " + std::string(spec.name)});
}

std::optional<double> NumberOf(const Json& value) {
  if (!value.is_number()) {
    return std::nullopt;
  }
  return value.get<double>();
}

// Java's (int) cast of a number argument (truncation toward zero).
std::optional<int64_t> TruncatedInt(const Json& value) {
  if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  auto number = NumberOf(value);
  if (!number || !std::isfinite(*number) || std::fabs(*number) > static_cast<double>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*number);
}

// Java's Math.round: floor(x + 0.5).
std::optional<int64_t> RoundedInt(const Json& value) {
  if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  auto number = NumberOf(value);
  if (!number || !std::isfinite(*number) || std::fabs(*number) > static_cast<double>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::floor(*number + 0.5));
}

// The characters a backslash escapes inside an intrinsic string literal.
bool IsEscapable(char c) { return c == '\'' || c == '{' || c == '}' || c == '\\'; }

Outcome Format(const IntrinsicSpec& spec, Args args, const std::string* raw_template) {
  const Json& first = (*args[0]);
  if (!first.is_string()) {
    return Invalid(spec);
  }
  // A literal template keeps its escapes so that `\{` is a brace, not a placeholder.
  const std::string& tmpl =
      raw_template != nullptr ? *raw_template : first.get_ref<const std::string&>();
  std::string out;
  size_t next_arg = 1;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (c == '\\' && i + 1 < tmpl.size() && IsEscapable(tmpl[i + 1])) {
      out += tmpl[++i];
    } else if (c == '{') {
      if (i + 1 >= tmpl.size() || tmpl[i + 1] != '}' || next_arg >= args.size()) {
        return Invalid(spec);
      }
      out += JavaToString((*args[next_arg++]));
      ++i;
    } else if (c == '}') {
      return Invalid(spec);
    } else {
      out += c;
    }
  }
  if (next_arg != args.size()) {
    return Invalid(spec);
  }
  return Json(std::move(out));
}

Outcome StringToJson(const IntrinsicSpec& spec, Args args) {
  const Json& text = (*args[0]);
  if (!text.is_string()) {
    return Invalid(spec);
  }
  const std::string& source = text.get_ref<const std::string&>();
  // Jackson reads empty or blank text as no value: AWS answers null (recorded).
  if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Json();
  }
  auto parsed = json::Parse(source);
  if (!parsed) {
    return Invalid(spec);
  }
  return std::move(*parsed);
}

Outcome ArrayPartition(const IntrinsicSpec& spec, Args args) {
  const Json& array = (*args[0]);
  auto size = TruncatedInt((*args[1]));
  if (!array.is_array() || !size || *size <= 0) {
    return Invalid(spec);
  }
  Json out = Json::array();
  const auto chunk = static_cast<size_t>(*size);
  for (size_t start = 0; start < array.size(); start += chunk) {
    Json part = Json::array();
    for (size_t i = start; i < array.size() && i < start + chunk; ++i) {
      part.push_back(array[i]);
    }
    out.push_back(std::move(part));
  }
  return out;
}

Outcome ArrayContains(const IntrinsicSpec& spec, Args args) {
  const Json& array = (*args[0]);
  if (!array.is_array()) {
    return Invalid(spec);
  }
  const Json& needle = (*args[1]);
  for (const Json& item : array) {
    if (JsonEqual(item, needle)) {
      return Json(true);
    }
  }
  return Json(false);
}

Outcome ArrayRange(const IntrinsicSpec& spec, Args args) {
  auto start = TruncatedInt((*args[0]));
  auto end = TruncatedInt((*args[1]));
  auto step = TruncatedInt((*args[2]));
  if (!start || !end || !step || *step == 0) {
    return Invalid(spec);
  }
  const int64_t span = *step > 0 ? *end - *start : *start - *end;
  const int64_t count = span < 0 ? 0 : span / (*step > 0 ? *step : -*step) + 1;
  if (count > static_cast<int64_t>(kMaxRangeItems)) {
    return Invalid(spec);
  }
  Json out = Json::array();
  for (int64_t i = 0; i < count; ++i) {
    out.push_back(*start + i * *step);
  }
  return out;
}

Outcome ArrayGetItem(const IntrinsicSpec& spec, Args args) {
  const Json& array = (*args[0]);
  auto index = TruncatedInt((*args[1]));
  if (!array.is_array() || !index || *index < 0 || *index >= static_cast<int64_t>(array.size())) {
    return Invalid(spec);
  }
  return array[static_cast<size_t>(*index)];
}

Outcome ArrayUnique(const IntrinsicSpec& spec, Args args) {
  const Json& array = (*args[0]);
  if (!array.is_array()) {
    return Invalid(spec);
  }
  Json out = Json::array();
  for (const Json& item : array) {
    bool seen = false;
    for (const Json& kept : out) {
      if (JsonEqual(kept, item)) {
        seen = true;
        break;
      }
    }
    if (!seen) {
      out.push_back(item);
    }
  }
  return out;
}

Outcome Base64(const IntrinsicSpec& spec, Args args, bool encode) {
  const Json& text = (*args[0]);
  if (!text.is_string() || text.get_ref<const std::string&>().size() > kMaxEncodedChars) {
    return Invalid(spec);
  }
  const std::string& data = text.get_ref<const std::string&>();
  if (encode) {
    return Json(base::Base64Encode(data));
  }
  auto decoded = base::Base64Decode(data);
  if (!decoded) {
    return Invalid(spec);
  }
  return Json(std::move(*decoded));
}

const EVP_MD* DigestFor(std::string_view algorithm) {
  if (algorithm == "MD5") {
    return EVP_md5();
  }
  if (algorithm == "SHA-1") {
    return EVP_sha1();
  }
  if (algorithm == "SHA-256") {
    return EVP_sha256();
  }
  if (algorithm == "SHA-384") {
    return EVP_sha384();
  }
  if (algorithm == "SHA-512") {
    return EVP_sha512();
  }
  return nullptr;
}

Outcome Hash(const IntrinsicSpec& spec, Args args) {
  const Json& data = (*args[0]);
  const Json& algorithm = (*args[1]);
  if (!data.is_string() || !algorithm.is_string() ||
      data.get_ref<const std::string&>().size() > kMaxEncodedChars) {
    return Invalid(spec);
  }
  const EVP_MD* md = DigestFor(algorithm.get_ref<const std::string&>());
  if (md == nullptr) {
    return Invalid(spec);
  }
  const std::string& bytes = data.get_ref<const std::string&>();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, md, nullptr) != 1) {
    return Invalid(spec);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return Json(std::move(out));
}

Outcome JsonMerge(const IntrinsicSpec& spec, Args args) {
  const Json& left = (*args[0]);
  const Json& right = (*args[1]);
  const Json& deep = (*args[2]);
  if (!left.is_object() || !right.is_object() || !deep.is_boolean() || deep.get<bool>()) {
    return Invalid(spec);
  }
  Json out = left;
  for (const auto& [key, value] : right.items()) {
    out[key] = value;
  }
  return out;
}

Outcome MathRandom(const IntrinsicSpec& spec, Args args, base::Rng* rng) {
  auto start = TruncatedInt((*args[0]));
  auto end = TruncatedInt((*args[1]));
  if (!start || !end || *start >= *end) {
    return Invalid(spec);
  }
  const auto range = static_cast<uint64_t>(*end - *start);
  uint64_t draw = 0;
  if (args.size() == 3) {
    auto seed = TruncatedInt((*args[2]));
    if (!seed) {
      return Invalid(spec);
    }
    std::mt19937_64 seeded(static_cast<uint64_t>(*seed));
    draw = seeded();
  } else {
    if (rng == nullptr) {
      return Invalid(spec);
    }
    draw = rng->Next();
  }
  return Json(*start + static_cast<int64_t>(draw % range));
}

Outcome MathAdd(const IntrinsicSpec& spec, Args args) {
  auto left = RoundedInt((*args[0]));
  auto right = RoundedInt((*args[1]));
  if (!left || !right || *left < INT32_MIN || *left > INT32_MAX || *right < INT32_MIN ||
      *right > INT32_MAX) {
    return Invalid(spec);
  }
  return Json(*left + *right);
}

Outcome StringSplit(const IntrinsicSpec& spec, Args args) {
  const Json& text = (*args[0]);
  const Json& delimiters = (*args[1]);
  if (!text.is_string() || !delimiters.is_string()) {
    return Invalid(spec);
  }
  const std::string& input = text.get_ref<const std::string&>();
  const std::string& delims = delimiters.get_ref<const std::string&>();
  Json out = Json::array();
  std::string part;
  for (char c : input) {
    if (delims.find(c) != std::string::npos) {
      if (!part.empty()) {
        out.push_back(std::move(part));
        part.clear();
      }
    } else {
      part += c;
    }
  }
  if (!part.empty()) {
    out.push_back(std::move(part));
  }
  return out;
}

Outcome Apply(const IntrinsicSpec& spec, Args args, const std::string* format_template,
              base::Rng* rng) {
  switch (spec.fn) {
    case IntrinsicFn::kFormat:
      return Format(spec, args, format_template);
    case IntrinsicFn::kStringToJson:
      return StringToJson(spec, args);
    case IntrinsicFn::kJsonToString:
      return Json(JavaJsonText((*args[0])));
    case IntrinsicFn::kArray: {
      Json out = Json::array();
      for (const Json* arg : args) {
        out.push_back(*arg);
      }
      return out;
    }
    case IntrinsicFn::kArrayPartition:
      return ArrayPartition(spec, args);
    case IntrinsicFn::kArrayContains:
      return ArrayContains(spec, args);
    case IntrinsicFn::kArrayRange:
      return ArrayRange(spec, args);
    case IntrinsicFn::kArrayGetItem:
      return ArrayGetItem(spec, args);
    case IntrinsicFn::kArrayLength:
      if (!(*args[0]).is_array()) {
        return Invalid(spec);
      }
      return Json((*args[0]).size());
    case IntrinsicFn::kArrayUnique:
      return ArrayUnique(spec, args);
    case IntrinsicFn::kBase64Encode:
      return Base64(spec, args, true);
    case IntrinsicFn::kBase64Decode:
      return Base64(spec, args, false);
    case IntrinsicFn::kHash:
      return Hash(spec, args);
    case IntrinsicFn::kJsonMerge:
      return JsonMerge(spec, args);
    case IntrinsicFn::kMathRandom:
      return MathRandom(spec, args, rng);
    case IntrinsicFn::kMathAdd:
      return MathAdd(spec, args);
    case IntrinsicFn::kStringSplit:
      return StringSplit(spec, args);
    case IntrinsicFn::kUuid:
      if (rng == nullptr) {
        return Invalid(spec);
      }
      return Json(rng->Uuid());
  }
  return Invalid(spec);
}

}  // namespace

const IntrinsicSpec* FindIntrinsic(std::string_view name) {
  for (const IntrinsicSpec& spec : kFunctions) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

tl::expected<json::Json, base::AslError> ApplyIntrinsic(const IntrinsicSpec& spec, Args args,
                                                        const std::string* format_template,
                                                        base::Rng* rng) {
  return Apply(spec, args, format_template, rng);
}

}  // namespace flowstate::query
