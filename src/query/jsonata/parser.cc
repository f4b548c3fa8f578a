#include "query/jsonata/parser.h"

#include <algorithm>
#include <unordered_map>

#include "query/jsonata/ancestry.h"
#include "query/jsonata/error.h"
#include "query/jsonata/function_data.h"
#include "query/jsonata/lexer.h"
#include "query/jsonata/regex.h"

namespace flowstate::query::jsonata {

namespace {

constexpr int kMaxNesting = 500;
constexpr int kMaxHeight = 1000;

int BindingPower(const Token& t) {
  if (t.type != TokenType::kOperator) return 0;
  static const std::unordered_map<std::string, int> kPowers = {
      {".", 75},  {"[", 80},  {"{", 70},   {"(", 80},  {"@", 80},  {"#", 80},  {"?", 20},
      {"+", 50},  {"-", 50},  {"*", 60},   {"/", 60},  {"%", 60},  {"=", 40},  {"<", 40},
      {">", 40},  {"^", 40},  {":=", 10},  {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
      {"?:", 40}, {"??", 40}, {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50},
  };
  auto it = kPowers.find(t.value);
  return it == kPowers.end() ? 0 : it->second;
}

std::string TokenText(const Token& t) {
  switch (t.type) {
    case TokenType::kEnd:
      return "(end)";
    case TokenType::kNumber:
      return FormatNumber(t.number);
    case TokenType::kVariable:
      return "$" + t.value;
    default:
      return t.value;
  }
}

bool IsOp(const Token& t, const char* op) {
  return t.type == TokenType::kOperator && t.value == op;
}

NodePtr MakeNode(NodeKind kind, int64_t pos) { return std::make_unique<Node>(kind, pos); }

// Wraps a non-path node as the single step of a new path.
NodePtr AsPath(NodePtr n) {
  if (n->kind == NodeKind::kPath) return n;
  auto path = MakeNode(NodeKind::kPath, n->position);
  path->keep_singleton = n->keep_array;
  path->items.push_back(std::move(n));
  return path;
}

class Parser {
 public:
  explicit Parser(std::string_view src) : lexer_(src) { cur_ = lexer_.Next(true); }

  NodePtr ParseAll() {
    NodePtr root = Parse(0);
    if (cur_.type != TokenType::kEnd) Fail("S0201", cur_.position, TokenText(cur_));
    return root;
  }

 private:
  void Advance() {
    bool prefix = cur_.type == TokenType::kOperator && cur_.value != ")" && cur_.value != "]" &&
                  cur_.value != "}";
    cur_ = lexer_.Next(prefix);
  }

  void Expect(const char* op) {
    if (!IsOp(cur_, op)) {
      if (cur_.type == TokenType::kEnd)
        Fail("S0203", cur_.position, std::nullopt, Value::String(op));
      Fail("S0202", cur_.position, TokenText(cur_), Value::String(op));
    }
    Advance();
  }

  NodePtr Parse(int rbp) {
    if (++depth_ > kMaxNesting) Fail("U1001", cur_.position);
    Token t = cur_;
    Advance();
    NodePtr left = Nud(t);
    SetHeight(left.get(), t.position);
    while (rbp < BindingPower(cur_)) {
      Token op = cur_;
      Advance();
      left = Led(op, std::move(left));
      SetHeight(left.get(), op.position);
    }
    depth_--;
    return left;
  }

  // Tree height bounds the recursion of every later pass and of evaluation itself.
  static void SetHeight(Node* n, int64_t position) {
    int h = 0;
    auto see = [&h](const Node* c) {
      if (c != nullptr) h = std::max(h, c->height);
    };
    see(n->lhs.get());
    see(n->rhs.get());
    see(n->third.get());
    see(n->group.get());
    for (const auto& c : n->items) see(c.get());
    for (const auto& [k, v] : n->pairs) {
      see(k.get());
      see(v.get());
    }
    for (const auto& s : n->stages) see(s.filter.get());
    for (const auto& term : n->sort_terms) see(term.expr.get());
    n->height = h + 1;
    if (n->height > kMaxHeight) Fail("U1001", position);
  }

  NodePtr Nud(const Token& t) {
    switch (t.type) {
      case TokenType::kEnd:
        Fail("S0207", t.position);
      case TokenType::kString: {
        auto n = MakeNode(NodeKind::kLiteral, t.position);
        n->literal = Value::String(t.value);
        n->str = t.value;
        return n;
      }
      case TokenType::kNumber: {
        auto n = MakeNode(NodeKind::kLiteral, t.position);
        n->literal = Value::Number(t.number);
        return n;
      }
      case TokenType::kValue: {
        auto n = MakeNode(NodeKind::kLiteral, t.position);
        n->literal = t.value_kind == 0 ? Value::Null() : Value::Bool(t.value_kind == 1);
        n->str = t.value;
        return n;
      }
      case TokenType::kRegex: {
        auto n = MakeNode(NodeKind::kRegex, t.position);
        auto fd = std::make_shared<FunctionData>();
        fd->kind = FunctionKind::kRegex;
        fd->regex = Regex::Compile(t.value, t.flags, t.position);
        n->regex = fd->regex;
        n->literal = Value::FromFunction(std::move(fd));
        return n;
      }
      case TokenType::kName: {
        auto n = MakeNode(NodeKind::kName, t.position);
        n->str = t.value;
        return AsPath(std::move(n));
      }
      case TokenType::kVariable: {
        auto n = MakeNode(NodeKind::kVariable, t.position);
        n->str = t.value;
        return n;
      }
      case TokenType::kOperator:
        return NudOperator(t);
    }
    Fail("S0201", t.position, TokenText(t));
  }

  NodePtr NudOperator(const Token& t) {
    const std::string& op = t.value;
    if (op == "and" || op == "or" || op == "in") {
      auto n = MakeNode(NodeKind::kName, t.position);
      n->str = op;
      return AsPath(std::move(n));
    }
    if (op == "*") return MakeNode(NodeKind::kWildcard, t.position);
    if (op == "**") return MakeNode(NodeKind::kDescendant, t.position);
    if (op == "%") {
      auto n = MakeNode(NodeKind::kParent, t.position);
      n->parent_slot = std::make_shared<ParentSlot>();
      return n;
    }
    if (op == "-") {
      NodePtr operand = Parse(70);
      if (operand->kind == NodeKind::kLiteral && operand->literal.IsNumber()) {
        operand->literal = Value::Number(-operand->literal.AsNumber());
        return operand;
      }
      auto n = MakeNode(NodeKind::kNegate, t.position);
      n->lhs = std::move(operand);
      return n;
    }
    if (op == "[") return ParseArray(t);
    if (op == "{") {
      auto n = MakeNode(NodeKind::kObject, t.position);
      ParsePairs(n.get());
      return n;
    }
    if (op == "(") {
      auto n = MakeNode(NodeKind::kBlock, t.position);
      while (!IsOp(cur_, ")")) {
        n->items.push_back(Parse(0));
        if (!IsOp(cur_, ";")) break;
        Advance();
      }
      Expect(")");
      return n;
    }
    if (op == "|") {
      auto n = MakeNode(NodeKind::kTransform, t.position);
      n->lhs = Parse(0);
      Expect("|");
      n->rhs = Parse(0);
      if (IsOp(cur_, ",")) {
        Advance();
        n->third = Parse(0);
      }
      Expect("|");
      return n;
    }
    if (op == "?" && in_call_args_ > 0) return MakeNode(NodeKind::kPlaceholder, t.position);
    Fail("S0211", t.position, op);
  }

  NodePtr ParseArray(const Token& t) {
    auto n = MakeNode(NodeKind::kArray, t.position);
    if (!IsOp(cur_, "]")) {
      while (true) {
        NodePtr item = Parse(0);
        if (IsOp(cur_, "..")) {
          auto range = MakeNode(NodeKind::kBinary, cur_.position);
          range->str = "..";
          Advance();
          range->lhs = std::move(item);
          range->rhs = Parse(0);
          item = std::move(range);
        }
        n->items.push_back(std::move(item));
        if (!IsOp(cur_, ",")) break;
        Advance();
      }
    }
    Expect("]");
    return n;
  }

  void ParsePairs(Node* n) {
    if (!IsOp(cur_, "}")) {
      while (true) {
        NodePtr key = Parse(0);
        Expect(":");
        NodePtr value = Parse(0);
        n->pairs.emplace_back(std::move(key), std::move(value));
        if (!IsOp(cur_, ",")) break;
        Advance();
      }
    }
    Expect("}");
  }

  NodePtr Led(const Token& t, NodePtr left) {
    const std::string& op = t.value;
    if (op == ".") return LedDot(t, std::move(left));
    if (op == "[") return LedPredicate(t, std::move(left));
    if (op == "(") return LedCall(t, std::move(left));
    if (op == "{") {
      if (left->group) Fail("S0210", t.position);
      auto group = MakeNode(NodeKind::kObject, t.position);
      ParsePairs(group.get());
      left->group = std::move(group);
      return left;
    }
    if (op == "@" || op == "#") return LedBinding(t, std::move(left));
    if (op == "^") return LedSort(t, std::move(left));
    if (op == "?") {
      auto n = MakeNode(NodeKind::kCondition, t.position);
      n->lhs = std::move(left);
      n->rhs = Parse(0);
      if (IsOp(cur_, ":")) {
        Advance();
        n->third = Parse(0);
      }
      return n;
    }
    if (op == "?:" || op == "??") {
      auto n = MakeNode(op == "?:" ? NodeKind::kElvis : NodeKind::kCoalesce, t.position);
      n->lhs = std::move(left);
      n->rhs = Parse(BindingPower(t));
      return n;
    }
    if (op == ":=") {
      if (left->kind != NodeKind::kVariable || !left->stages.empty()) {
        Fail("S0212", left->position, left->str);
      }
      auto n = MakeNode(NodeKind::kBind, t.position);
      n->lhs = std::move(left);
      n->rhs = Parse(BindingPower(t) - 1);  // right associative
      return n;
    }
    if (op == "~>") {
      auto n = MakeNode(NodeKind::kApply, t.position);
      n->lhs = std::move(left);
      n->rhs = Parse(BindingPower(t));
      return n;
    }
    auto n = MakeNode(NodeKind::kBinary, t.position);
    n->str = op;
    n->lhs = std::move(left);
    n->rhs = Parse(BindingPower(t));
    return n;
  }

  NodePtr LedDot(const Token& t, NodePtr left) {
    NodePtr path = AsPath(std::move(left));
    NodePtr rhs = Parse(BindingPower(t));
    if (rhs->kind == NodeKind::kPath && !rhs->group) {
      if (rhs->keep_singleton) path->keep_singleton = true;
      for (auto& step : rhs->items) path->items.push_back(std::move(step));
    } else {
      path->items.push_back(std::move(rhs));
    }
    for (auto& step : path->items) {
      if (step->kind == NodeKind::kLiteral && step->literal.IsString()) {
        step->kind = NodeKind::kName;
        step->str = step->literal.AsString();
      }
      if (step->kind == NodeKind::kArray) step->cons_array = true;
      if (step->keep_array) path->keep_singleton = true;
    }
    return path;
  }

  NodePtr LedPredicate(const Token& t, NodePtr left) {
    if (IsOp(cur_, "]")) {
      // `[]`: keep a singleton result as an array.
      Advance();
      Node* step = left.get();
      if (step->kind == NodeKind::kPath && !step->items.empty()) {
        step->keep_singleton = true;
        step = step->items.back().get();
      }
      step->keep_array = true;
      return left;
    }
    NodePtr predicate = Parse(0);
    Expect("]");
    Node* step = left.get();
    if (step->kind == NodeKind::kPath && !step->items.empty() && !step->group) {
      step = step->items.back().get();
    }
    if (step->group) Fail("S0209", t.position);
    Stage stage;
    stage.filter = std::move(predicate);
    step->stages.push_back(std::move(stage));
    return left;
  }

  NodePtr LedBinding(const Token& t, NodePtr left) {
    if (cur_.type != TokenType::kVariable) Fail("S0214", cur_.position, t.value);
    std::string var = cur_.value;
    Advance();
    if (t.value == "@") {
      // A focus binding marks the step but does not make a path of it: `$@$v` alone is
      // just `$` (as in jsonata-js); the binding takes effect once the node is a path step.
      Node* step = left.get();
      if (step->kind == NodeKind::kPath) step = step->items.back().get();
      if (!step->stages.empty()) Fail("S0215", t.position, "@");
      if (step->kind == NodeKind::kSort) Fail("S0216", t.position, "@");
      step->focus_var = var;
      step->tuple = true;
      return left;
    }
    NodePtr path = AsPath(std::move(left));
    Node* step = path->items.back().get();
    if (step->stages.empty()) {
      step->index_var = var;
    } else {
      Stage stage;
      stage.index_var = var;
      step->stages.push_back(std::move(stage));
    }
    step->tuple = true;
    return path;
  }

  NodePtr LedSort(const Token& t, NodePtr left) {
    Expect("(");
    auto sort = MakeNode(NodeKind::kSort, t.position);
    while (true) {
      SortTerm term;
      if (IsOp(cur_, "<")) {
        Advance();
      } else if (IsOp(cur_, ">")) {
        term.descending = true;
        Advance();
      }
      term.expr = Parse(0);
      sort->sort_terms.push_back(std::move(term));
      if (!IsOp(cur_, ",")) break;
      Advance();
    }
    Expect(")");
    NodePtr path = AsPath(std::move(left));
    path->items.push_back(std::move(sort));
    return path;
  }

  static bool IsLambdaKeyword(const Node& n) {
    if (n.kind != NodeKind::kPath || n.items.size() != 1) return false;
    const Node& s = *n.items[0];
    return s.kind == NodeKind::kName && s.stages.empty() &&
           (s.str == "function" || s.str == "\xCE\xBB");
  }

  NodePtr LedCall(const Token& t, NodePtr left) {
    if (IsLambdaKeyword(*left)) return ParseLambda(t);
    auto n = MakeNode(NodeKind::kCall, t.position);
    in_call_args_++;
    if (!IsOp(cur_, ")")) {
      while (true) {
        NodePtr arg = Parse(0);
        if (arg->kind == NodeKind::kPlaceholder) n->is_partial = true;
        n->items.push_back(std::move(arg));
        if (!IsOp(cur_, ",")) break;
        Advance();
      }
    }
    in_call_args_--;
    Expect(")");
    n->lhs = std::move(left);
    return n;
  }

  NodePtr ParseLambda(const Token& t) {
    auto n = MakeNode(NodeKind::kLambda, t.position);
    if (!IsOp(cur_, ")")) {
      while (true) {
        if (cur_.type != TokenType::kVariable) {
          Fail("S0208", cur_.position, TokenText(cur_), Value::String(TokenText(cur_)));
        }
        n->params.push_back(cur_.value);
        Advance();
        if (!IsOp(cur_, ",")) break;
        Advance();
      }
    }
    Expect(")");
    if (IsOp(cur_, "<")) {
      int64_t sig_pos = cur_.position;
      std::string sig;
      int depth = 0;
      while (true) {
        if (cur_.type == TokenType::kEnd)
          Fail("S0203", cur_.position, std::nullopt, Value::String(">"));
        if (IsOp(cur_, "<")) depth++;
        if (IsOp(cur_, ">")) depth--;
        sig += TokenText(cur_);
        Advance();
        if (depth == 0) break;
      }
      n->signature = Signature::Parse(sig, sig_pos);
    }
    Expect("{");
    n->lhs = Parse(0);
    Expect("}");
    return n;
  }

  Lexer lexer_;
  Token cur_;
  int depth_ = 0;
  int in_call_args_ = 0;
};

}  // namespace

NodePtr ParseExpression(std::string_view source) {
  Parser parser(source);
  NodePtr root = parser.ParseAll();
  ResolveAncestry(root.get());
  MarkTailCalls(root.get());
  MarkSimplePaths(root.get());
  ResolveBuiltins(root.get());
  FoldConstantObjects(root.get());
  return root;
}

}  // namespace flowstate::query::jsonata
