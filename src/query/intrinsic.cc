#include "query/intrinsic.h"

#include <array>
#include <cctype>
#include <climits>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include <openssl/evp.h>

#include "base/rng.h"
#include "json/json.h"
#include "query/java_text.h"
#include "query/json_path.h"

namespace flowstate::query {
namespace {

using json::Json;

constexpr int kMaxNesting = 10;
constexpr size_t kMaxRangeItems = 1000;
constexpr size_t kMaxEncodedChars = 10000;

enum class Fn {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

struct FnSpec {
  std::string_view name;
  Fn fn;
  size_t min_args;
  size_t max_args;
};

constexpr size_t kVariadic = SIZE_MAX;

constexpr std::array<FnSpec, 18> kFunctions = {{
    {"States.Format", Fn::kFormat, 1, kVariadic},
    {"States.StringToJson", Fn::kStringToJson, 1, 1},
    {"States.JsonToString", Fn::kJsonToString, 1, 1},
    {"States.Array", Fn::kArray, 0, kVariadic},
    {"States.ArrayPartition", Fn::kArrayPartition, 2, 2},
    {"States.ArrayContains", Fn::kArrayContains, 2, 2},
    {"States.ArrayRange", Fn::kArrayRange, 3, 3},
    {"States.ArrayGetItem", Fn::kArrayGetItem, 2, 2},
    {"States.ArrayLength", Fn::kArrayLength, 1, 1},
    {"States.ArrayUnique", Fn::kArrayUnique, 1, 1},
    {"States.Base64Encode", Fn::kBase64Encode, 1, 1},
    {"States.Base64Decode", Fn::kBase64Decode, 1, 1},
    {"States.Hash", Fn::kHash, 2, 2},
    {"States.JsonMerge", Fn::kJsonMerge, 3, 3},
    {"States.MathRandom", Fn::kMathRandom, 2, 3},
    {"States.MathAdd", Fn::kMathAdd, 2, 2},
    {"States.StringSplit", Fn::kStringSplit, 2, 2},
    {"States.UUID", Fn::kUuid, 0, 0},
}};

}  // namespace

struct Intrinsic::Node {
  enum class Kind { kLiteral, kPath, kCall } kind = Kind::kLiteral;
  Json literal;
  // For string literals: the text between the quotes with escapes kept, because
  // States.Format must tell `\{` from a placeholder.
  std::string raw;
  bool string_literal = false;
  std::optional<JsonPath> path;
  const FnSpec* spec = nullptr;
  std::vector<Node> args;
};

namespace {

using Node = Intrinsic::Node;

// ---------------------------------------------------------------------------------------
// Parsing

class CallParser {
 public:
  explicit CallParser(std::string_view text) : text_(text) {}

  base::Result<Node> ParseAll() {
    Node root;
    if (!ParseCall(root, 1)) {
      return Error();
    }
    SkipSpaces();
    if (pos_ != text_.size()) {
      error_ = "unexpected text after the closing ')'";
      return Error();
    }
    return root;
  }

 private:
  tl::unexpected<base::Status> Error() const {
    return base::Err(base::Status::InvalidArgument("Invalid intrinsic function call '" +
                                                   std::string(text_) + "': " + error_));
  }

  bool Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
    }
    return false;
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  bool ParseCall(Node& out, int depth) {
    if (depth > kMaxNesting) {
      return Fail("intrinsic functions cannot be nested more than 10 levels deep");
    }
    SkipSpaces();
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                   text_[pos_] == '.' || text_[pos_] == '_')) {
      ++pos_;
    }
    const std::string_view name = text_.substr(start, pos_ - start);
    for (const FnSpec& spec : kFunctions) {
      if (spec.name == name) {
        out.spec = &spec;
      }
    }
    if (out.spec == nullptr) {
      return Fail("unknown function '" + std::string(name) + "'");
    }
    out.kind = Node::Kind::kCall;
    SkipSpaces();
    if (pos_ >= text_.size() || text_[pos_] != '(') {
      return Fail("expected '(' after " + std::string(name));
    }
    ++pos_;
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        Node arg;
        if (!ParseArg(arg, depth)) {
          return false;
        }
        out.args.push_back(std::move(arg));
        SkipSpaces();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ')') {
          ++pos_;
          break;
        }
        return Fail("expected ',' or ')' in the arguments of " + std::string(name));
      }
    }
    if (out.args.size() < out.spec->min_args || out.args.size() > out.spec->max_args) {
      return Fail(std::string(name) + " does not take " + std::to_string(out.args.size()) +
                  " argument(s)");
    }
    return true;
  }

  bool ParseArg(Node& out, int depth) {
    SkipSpaces();
    if (pos_ >= text_.size()) {
      return Fail("unexpected end of the call");
    }
    const char c = text_[pos_];
    if (text_.substr(pos_).starts_with("States.")) {
      return ParseCall(out, depth + 1);
    }
    if (c == '\'') {
      return ParseString(out);
    }
    if (c == '$') {
      return ParsePath(out);
    }
    return ParseScalar(out);
  }

  bool ParseString(Node& out) {
    ++pos_;
    std::string value;
    std::string raw;
    while (pos_ < text_.size() && text_[pos_] != '\'') {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        const char next = text_[pos_ + 1];
        raw += c;
        raw += next;
        if (next == '\'' || next == '{' || next == '}' || next == '\\') {
          value += next;
        } else {
          value += c;
          value += next;
        }
        pos_ += 2;
        continue;
      }
      raw += c;
      value += c;
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      return Fail("unterminated string literal");
    }
    ++pos_;
    out.kind = Node::Kind::kLiteral;
    out.string_literal = true;
    out.literal = std::move(value);
    out.raw = std::move(raw);
    return true;
  }

  bool ParsePath(Node& out) {
    const size_t start = pos_;
    int depth = 0;
    char quote = 0;
    for (; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (depth > 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == '[' || (depth > 0 && c == '(')) {
        ++depth;
      } else if ((c == ']' || c == ')') && depth > 0) {
        --depth;
      } else if (depth == 0 &&
                 (c == ',' || c == ')' || std::isspace(static_cast<unsigned char>(c)) != 0)) {
        break;
      }
    }
    auto path = JsonPath::Parse(text_.substr(start, pos_ - start));
    if (!path) {
      return Fail(path.error().message());
    }
    out.kind = Node::Kind::kPath;
    out.path = std::move(*path);
    return true;
  }

  bool ParseScalar(Node& out) {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ')' &&
           std::isspace(static_cast<unsigned char>(text_[pos_])) == 0) {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    auto parsed = json::Parse(word);
    if (word.empty() || !parsed || parsed->is_structured() || parsed->is_string()) {
      return Fail("invalid argument '" + std::string(word) + "'");
    }
    out.kind = Node::Kind::kLiteral;
    out.literal = std::move(*parsed);
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------------------------------
// Evaluation

// An argument's value: a pointer into the input/literal when possible, else owned.
struct Value {
  Json owned;
  const Json* ref = nullptr;
  const Json& get() const { return ref != nullptr ? *ref : owned; }
};

using Args = std::vector<Value>;
using Outcome = tl::expected<Json, base::AslError>;

tl::unexpected<base::AslError> Invalid(const FnSpec& spec) {
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

Outcome Format(const FnSpec& spec, const Node& node, const Args& args) {
  const Json& first = args[0].get();
  if (!first.is_string()) {
    return Invalid(spec);
  }
  // A literal template keeps its escapes so that `\{` is a brace, not a placeholder.
  const std::string& tmpl =
      node.args[0].string_literal ? node.args[0].raw : first.get_ref<const std::string&>();
  std::string out;
  size_t next_arg = 1;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (c == '\\' && i + 1 < tmpl.size()) {
      out += tmpl[++i];
    } else if (c == '{') {
      if (i + 1 >= tmpl.size() || tmpl[i + 1] != '}' || next_arg >= args.size()) {
        return Invalid(spec);
      }
      out += JavaToString(args[next_arg++].get());
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

Outcome StringToJson(const FnSpec& spec, const Args& args) {
  const Json& text = args[0].get();
  if (!text.is_string()) {
    return Invalid(spec);
  }
  auto parsed = json::Parse(text.get_ref<const std::string&>());
  if (!parsed) {
    return Invalid(spec);
  }
  return std::move(*parsed);
}

Outcome ArrayPartition(const FnSpec& spec, const Args& args) {
  const Json& array = args[0].get();
  auto size = TruncatedInt(args[1].get());
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

Outcome ArrayContains(const FnSpec& spec, const Args& args) {
  const Json& array = args[0].get();
  if (!array.is_array()) {
    return Invalid(spec);
  }
  const Json& needle = args[1].get();
  for (const Json& item : array) {
    if (item == needle) {
      return Json(true);
    }
  }
  return Json(false);
}

Outcome ArrayRange(const FnSpec& spec, const Args& args) {
  auto start = TruncatedInt(args[0].get());
  auto end = TruncatedInt(args[1].get());
  auto step = TruncatedInt(args[2].get());
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

Outcome ArrayGetItem(const FnSpec& spec, const Args& args) {
  const Json& array = args[0].get();
  auto index = TruncatedInt(args[1].get());
  if (!array.is_array() || !index || *index < 0 || *index >= static_cast<int64_t>(array.size())) {
    return Invalid(spec);
  }
  return array[static_cast<size_t>(*index)];
}

Outcome ArrayUnique(const FnSpec& spec, const Args& args) {
  const Json& array = args[0].get();
  if (!array.is_array()) {
    return Invalid(spec);
  }
  Json out = Json::array();
  for (const Json& item : array) {
    bool seen = false;
    for (const Json& kept : out) {
      if (kept == item) {
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

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (i + 1 == data.size()) {
    const uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const uint32_t n =
        (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) {
        return std::nullopt;
      }
      ++padding;
      continue;
    }
    if (padding > 0) {
      return std::nullopt;
    }
    const size_t value = kBase64Alphabet.find(c);
    if (value == std::string_view::npos) {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

Outcome Base64(const FnSpec& spec, const Args& args, bool encode) {
  const Json& text = args[0].get();
  if (!text.is_string() || text.get_ref<const std::string&>().size() > kMaxEncodedChars) {
    return Invalid(spec);
  }
  const std::string& data = text.get_ref<const std::string&>();
  if (encode) {
    return Json(Base64Encode(data));
  }
  auto decoded = Base64Decode(data);
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

Outcome Hash(const FnSpec& spec, const Args& args) {
  const Json& data = args[0].get();
  const Json& algorithm = args[1].get();
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

Outcome JsonMerge(const FnSpec& spec, const Args& args) {
  const Json& left = args[0].get();
  const Json& right = args[1].get();
  const Json& deep = args[2].get();
  if (!left.is_object() || !right.is_object() || !deep.is_boolean() || deep.get<bool>()) {
    return Invalid(spec);
  }
  Json out = left;
  for (const auto& [key, value] : right.items()) {
    out[key] = value;
  }
  return out;
}

Outcome MathRandom(const FnSpec& spec, const Args& args, base::Rng* rng) {
  auto start = TruncatedInt(args[0].get());
  auto end = TruncatedInt(args[1].get());
  if (!start || !end || *start >= *end) {
    return Invalid(spec);
  }
  const auto range = static_cast<uint64_t>(*end - *start);
  uint64_t draw = 0;
  if (args.size() == 3) {
    auto seed = TruncatedInt(args[2].get());
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

Outcome MathAdd(const FnSpec& spec, const Args& args) {
  auto left = RoundedInt(args[0].get());
  auto right = RoundedInt(args[1].get());
  if (!left || !right || *left < INT32_MIN || *left > INT32_MAX || *right < INT32_MIN ||
      *right > INT32_MAX) {
    return Invalid(spec);
  }
  return Json(*left + *right);
}

Outcome StringSplit(const FnSpec& spec, const Args& args) {
  const Json& text = args[0].get();
  const Json& delimiters = args[1].get();
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

Outcome Apply(const Node& node, Args& args, const EvalContext& ctx) {
  const FnSpec& spec = *node.spec;
  switch (spec.fn) {
    case Fn::kFormat:
      return Format(spec, node, args);
    case Fn::kStringToJson:
      return StringToJson(spec, args);
    case Fn::kJsonToString:
      return Json(JavaJsonText(args[0].get()));
    case Fn::kArray: {
      Json out = Json::array();
      for (Value& arg : args) {
        out.push_back(arg.ref != nullptr ? *arg.ref : std::move(arg.owned));
      }
      return out;
    }
    case Fn::kArrayPartition:
      return ArrayPartition(spec, args);
    case Fn::kArrayContains:
      return ArrayContains(spec, args);
    case Fn::kArrayRange:
      return ArrayRange(spec, args);
    case Fn::kArrayGetItem:
      return ArrayGetItem(spec, args);
    case Fn::kArrayLength:
      if (!args[0].get().is_array()) {
        return Invalid(spec);
      }
      return Json(args[0].get().size());
    case Fn::kArrayUnique:
      return ArrayUnique(spec, args);
    case Fn::kBase64Encode:
      return Base64(spec, args, true);
    case Fn::kBase64Decode:
      return Base64(spec, args, false);
    case Fn::kHash:
      return Hash(spec, args);
    case Fn::kJsonMerge:
      return JsonMerge(spec, args);
    case Fn::kMathRandom:
      return MathRandom(spec, args, ctx.rng);
    case Fn::kMathAdd:
      return MathAdd(spec, args);
    case Fn::kStringSplit:
      return StringSplit(spec, args);
    case Fn::kUuid:
      if (ctx.rng == nullptr) {
        return Invalid(spec);
      }
      return Json(ctx.rng->Uuid());
  }
  return Invalid(spec);
}

tl::expected<Value, base::AslError> EvalNode(const Node& node, const EvalContext& ctx,
                                             std::string_view field_name) {
  Value value;
  switch (node.kind) {
    case Node::Kind::kLiteral:
      value.ref = &node.literal;
      return value;
    case Node::Kind::kPath: {
      auto matches = node.path->Evaluate(ctx);
      if (!matches) {
        static const Json kNull;
        return tl::unexpected(base::AslError{
            "States.Runtime", PathNotFoundCause(node.path->text(), field_name,
                                                ctx.input != nullptr ? *ctx.input : kNull)});
      }
      if (matches->definite()) {
        value.ref = &(*matches)[0];
      } else {
        value.owned = matches->ToJson();
      }
      return value;
    }
    case Node::Kind::kCall:
      break;
  }
  Args args;
  args.reserve(node.args.size());
  for (const Node& arg : node.args) {
    auto evaluated = EvalNode(arg, ctx, field_name);
    if (!evaluated) {
      return tl::unexpected(std::move(evaluated.error()));
    }
    args.push_back(std::move(*evaluated));
  }
  auto result = Apply(node, args, ctx);
  if (!result) {
    return tl::unexpected(std::move(result.error()));
  }
  value.owned = std::move(*result);
  return value;
}

}  // namespace

bool Intrinsic::LooksLikeIntrinsic(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])) != 0) {
    ++pos;
  }
  return text.substr(pos).starts_with("States.");
}

base::Result<Intrinsic> Intrinsic::Parse(std::string_view text) {
  CallParser parser(text);
  auto root = parser.ParseAll();
  if (!root) {
    return base::Err(root.error());
  }
  return Intrinsic(std::string(text), std::make_shared<const Node>(std::move(*root)));
}

const std::string& Intrinsic::text() const { return *text_; }

tl::expected<json::Json, base::AslError> Intrinsic::Evaluate(const EvalContext& ctx,
                                                             std::string_view field_name) const {
  auto value = EvalNode(*root_, ctx, field_name);
  if (!value) {
    return tl::unexpected(std::move(value.error()));
  }
  if (value->ref != nullptr) {
    return *value->ref;
  }
  return std::move(value->owned);
}

std::string PathNotFoundCause(std::string_view path, std::string_view field,
                              const json::Json& input) {
  std::string cause = "The JSONPath '";
  cause += path;
  cause += "' specified for the field '";
  cause += field;
  cause += "' could not be found in the input '";
  cause += JavaJsonText(input);
  cause += '\'';
  return cause;
}

}  // namespace flowstate::query
