#include "domain/prefecture.h"

#include <array>

namespace claimsca::domain {
namespace {

constexpr std::array<Prefecture, kPrefectureCount> kPrefectures = {{
    {"01", "北海道", "hokkaido"},    {"02", "青森県", "aomori"},     {"03", "岩手県", "iwate"},
    {"04", "宮城県", "miyagi"},      {"05", "秋田県", "akita"},      {"06", "山形県", "yamagata"},
    {"07", "福島県", "fukushima"},   {"08", "茨城県", "ibaraki"},    {"09", "栃木県", "tochigi"},
    {"10", "群馬県", "gunma"},       {"11", "埼玉県", "saitama"},    {"12", "千葉県", "chiba"},
    {"13", "東京都", "tokyo"},       {"14", "神奈川県", "kanagawa"}, {"15", "新潟県", "niigata"},
    {"16", "富山県", "toyama"},      {"17", "石川県", "ishikawa"},   {"18", "福井県", "fukui"},
    {"19", "山梨県", "yamanashi"},   {"20", "長野県", "nagano"},     {"21", "岐阜県", "gifu"},
    {"22", "静岡県", "shizuoka"},    {"23", "愛知県", "aichi"},      {"24", "三重県", "mie"},
    {"25", "滋賀県", "shiga"},       {"26", "京都府", "kyoto"},      {"27", "大阪府", "osaka"},
    {"28", "兵庫県", "hyogo"},       {"29", "奈良県", "nara"},       {"30", "和歌山県", "wakayama"},
    {"31", "鳥取県", "tottori"},     {"32", "島根県", "shimane"},    {"33", "岡山県", "okayama"},
    {"34", "広島県", "hiroshima"},   {"35", "山口県", "yamaguchi"},  {"36", "徳島県", "tokushima"},
    {"37", "香川県", "kagawa"},      {"38", "愛媛県", "ehime"},      {"39", "高知県", "kochi"},
    {"40", "福岡県", "fukuoka"},     {"41", "佐賀県", "saga"},       {"42", "長崎県", "nagasaki"},
    {"43", "熊本県", "kumamoto"},    {"44", "大分県", "oita"},       {"45", "宮崎県", "miyazaki"},
    {"46", "鹿児島県", "kagoshima"}, {"47", "沖縄県", "okinawa"},
}};

}  // namespace

std::span<const Prefecture> AllPrefectures() { return kPrefectures; }

std::optional<Prefecture> FindPrefecture(std::string_view code) {
  if (code.size() != 2) return std::nullopt;
  if (code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9') return std::nullopt;
  const int n = (code[0] - '0') * 10 + (code[1] - '0');
  if (n < 1 || n > kPrefectureCount) return std::nullopt;
  return kPrefectures[n - 1];
}

bool IsValidPrefecture(std::string_view code) { return FindPrefecture(code).has_value(); }

bool IsShortPayloadPrefecture(std::string_view code) {
  return code == "11" || code == "12" || code == "13" || code == "14";
}

}  // namespace claimsca::domain
