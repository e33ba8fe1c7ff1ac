// RFC 8941 Dictionary parsing, following the algorithms of §4.2 step by step. The field is
// parsed twice: once to validate (nothing is visited if any part fails), then to visit.
#include "http/structured_field.h"

namespace lacquer::http {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_alpha(char c) noexcept { return is_lcalpha(c) || (c >= 'A' && c <= 'Z'); }
bool is_tchar(char c) noexcept {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}
bool is_base64(char c) noexcept { return is_alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '='; }

class Parser {
 public:
  explicit Parser(std::string_view s) noexcept : s_(s) {}

  // §4.2 steps 2-6 with §4.2.2: the whole field.
  bool dictionary(void (*visit)(void*, const SfMember&), void* ctx) noexcept {
    skip_sp();
    if (at_end()) return true;  // empty dictionary
    while (true) {
      SfMember m;
      if (!key(m.key)) return false;
      if (peek() == '=') {
        ++i_;
        if (!member_value(m)) return false;
      } else {
        m.type = SfType::Boolean;
        m.integer = 1;
        if (!parameters(m.params)) return false;
      }
      if (visit) visit(ctx, m);
      skip_ows();
      if (at_end()) return true;
      if (peek() != ',') return false;
      ++i_;
      skip_ows();
      if (at_end()) return false;  // trailing comma
    }
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;

  bool at_end() const noexcept { return i_ >= s_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s_[i_]; }
  void skip_sp() noexcept {
    while (!at_end() && s_[i_] == ' ') ++i_;
  }
  void skip_ows() noexcept {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }

  // §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
  bool key(std::string_view& out) noexcept {
    const std::size_t start = i_;
    if (!(is_lcalpha(peek()) || peek() == '*')) return false;
    ++i_;
    while (!at_end()) {
      const char c = s_[i_];
      if (!(is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*')) break;
      ++i_;
    }
    out = s_.substr(start, i_ - start);
    return true;
  }

  bool member_value(SfMember& m) noexcept {
    if (peek() == '(') return inner_list(m);
    return bare_item(m) && parameters(m.params);
  }

  // §4.2.1.2: "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters
  bool inner_list(SfMember& m) noexcept {
    const std::size_t start = i_;
    ++i_;  // '('
    while (!at_end()) {
      skip_sp();
      if (peek() == ')') {
        ++i_;
        m.type = SfType::InnerList;
        m.text = s_.substr(start, i_ - start);
        return parameters(m.params);
      }
      SfMember item;
      std::string_view ignored;
      if (!bare_item(item) || !parameters(ignored)) return false;
      if (peek() != ' ' && peek() != ')') return false;
    }
    return false;  // no closing parenthesis
  }

  // §4.2.3.2: *( ";" *SP param-key [ "=" bare-item ] )
  bool parameters(std::string_view& out) noexcept {
    const std::size_t start = i_;
    while (peek() == ';') {
      ++i_;
      skip_sp();
      std::string_view k;
      if (!key(k)) return false;
      if (peek() == '=') {
        ++i_;
        SfMember value;
        if (!bare_item(value)) return false;
      }
    }
    out = s_.substr(start, i_ - start);
    return true;
  }

  // §4.2.3.1
  bool bare_item(SfMember& m) noexcept {
    const char c = peek();
    if (c == '-' || is_digit(c)) return number(m);
    if (c == '"') return string(m);
    if (c == ':') return byte_sequence(m);
    if (c == '?') return boolean(m);
    if (is_alpha(c) || c == '*') return token(m);
    return false;
  }

  // §4.2.4: at most 15 integer digits; a decimal has at most 12 before and 1-3 after the dot.
  bool number(SfMember& m) noexcept {
    std::int64_t sign = 1;
    if (peek() == '-') {
      sign = -1;
      ++i_;
    }
    if (!is_digit(peek())) return false;
    std::int64_t whole = 0;
    std::size_t digits = 0;
    while (is_digit(peek())) {
      whole = whole * 10 + (s_[i_] - '0');
      ++i_;
      if (++digits > 15) return false;
    }
    if (peek() != '.') {
      m.type = SfType::Integer;
      m.integer = sign * whole;
      return true;
    }
    if (digits > 12) return false;
    ++i_;  // '.'
    std::int64_t frac = 0;
    std::size_t frac_digits = 0;
    while (is_digit(peek())) {
      frac = frac * 10 + (s_[i_] - '0');
      ++i_;
      if (++frac_digits > 3) return false;
    }
    if (frac_digits == 0) return false;
    while (frac_digits++ < 3) frac *= 10;
    m.type = SfType::Decimal;
    m.integer = sign * (whole * 1000 + frac);
    return true;
  }

  // §4.2.5: printable ASCII; "\" escapes only DQUOTE and "\".
  bool string(SfMember& m) noexcept {
    ++i_;  // '"'
    const std::size_t start = i_;
    while (!at_end()) {
      const char c = s_[i_];
      if (c == '\\') {
        if (i_ + 1 >= s_.size() || (s_[i_ + 1] != '"' && s_[i_ + 1] != '\\')) return false;
        i_ += 2;
        continue;
      }
      if (c == '"') {
        m.type = SfType::String;
        m.text = s_.substr(start, i_ - start);
        ++i_;
        return true;
      }
      if (c < 0x20 || c > 0x7e) return false;
      ++i_;
    }
    return false;  // unterminated
  }

  // §4.2.6: ( ALPHA / "*" ) *( tchar / ":" / "/" )
  bool token(SfMember& m) noexcept {
    const std::size_t start = i_++;
    while (!at_end() && (is_tchar(s_[i_]) || s_[i_] == ':' || s_[i_] == '/')) ++i_;
    m.type = SfType::Token;
    m.text = s_.substr(start, i_ - start);
    return true;
  }

  // §4.2.7: ":" *base64 ":"
  bool byte_sequence(SfMember& m) noexcept {
    ++i_;  // ':'
    const std::size_t start = i_;
    while (!at_end() && s_[i_] != ':') {
      if (!is_base64(s_[i_])) return false;
      ++i_;
    }
    if (at_end()) return false;
    m.type = SfType::ByteSequence;
    m.text = s_.substr(start, i_ - start);
    ++i_;
    return true;
  }

  // §4.2.8: "?" ( "0" / "1" )
  bool boolean(SfMember& m) noexcept {
    ++i_;  // '?'
    if (peek() != '0' && peek() != '1') return false;
    m.type = SfType::Boolean;
    m.integer = s_[i_] - '0';
    ++i_;
    return true;
  }
};

// §4.2 step 1-2: leading and trailing SP are discarded (HTAB is not).
std::string_view trim_sp(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool parse_sf_dictionary(std::string_view field, void (*visit)(void* ctx, const SfMember&),
                         void* ctx) noexcept {
  field = trim_sp(field);
  if (!Parser(field).dictionary(nullptr, nullptr)) return false;
  if (visit) Parser(field).dictionary(visit, ctx);
  return true;
}

}  // namespace lacquer::http
