// invoice_pdf_bench: how fast the invoice PDF batch is drawn (section `invoice` of
// bench/run.sh; the issue's target is 500 pages/s or more).
//
//   invoice_pdf_bench [N] [OUT.pdf]
//
// Renders one batch of N invoices (default 2,000) with billing::RenderInvoicePdf, the
// breakdowns sized as a month's bills are: most invoices hold one to three fees, one in
// ten a dozen, one in a hundred 120 (a large 保険者: three pages). Prints
// "invoices=N pages=P bytes=B seconds=S cpu_seconds=C pages_per_second=R
// pages_per_cpu_second=Q" on one line (R from the wall time; Q from the process's CPU
// time, which a shared machine disturbs less); OUT.pdf keeps the batch. One thread, as the
// billing run.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "billing/invoice_pdf.h"

using namespace claimsca;
using namespace claimsca::billing;

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

InvoiceDocument MakeInvoice(int i) {
  const std::chrono::year_month_day issued = std::chrono::year(2026) / 11 / (1 + i % 28);
  InvoiceDocument inv;
  char number[16];
  std::snprintf(number, sizeof number, "2701%06d", i + 1);
  inv.number = number;
  inv.issue_date = std::chrono::year(2027) / 1 / 12;
  inv.due_date = std::chrono::year(2027) / 2 / 26;
  inv.billing_month = std::chrono::year(2027) / 1;
  inv.institution_code = std::to_string(1310000000 + i);
  inv.institution_name = "医療法人社団 ベンチ会 さくら記念クリニック" + std::to_string(i);
  inv.postal_code = "1000013";
  inv.address = "東京都千代田区霞が関一丁目" + std::to_string(1 + i % 9) + "番" +
                std::to_string(1 + i % 30) + "号 中央合同庁舎第5号館";
  inv.fallback = i % 7 == 0;
  const int lines = i % 100 == 99 ? 120 : i % 10 == 9 ? 12 : 1 + i % 3;
  for (int k = 0; k < lines; ++k) {
    const FeeKind kind = k % 3 == 2 ? FeeKind::kMailing
                         : k % 2    ? FeeKind::kRenewal
                                    : FeeKind::kIssuance;
    const int64_t yen = kind == FeeKind::kMailing ? 792 : 1500;
    inv.lines.push_back({std::to_string(20261100000000LL + i * 1000LL + k),
                         "受付端末" + std::to_string(k + 1) + "（医事課）", issued, kind, yen});
    inv.amount_yen += yen;
  }
  return inv;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (n < 1) {
    std::fprintf(stderr, "usage: invoice_pdf_bench [N>=1] [OUT.pdf]\n");
    return 2;
  }
  std::vector<InvoiceDocument> batch;
  int pages = 0;
  for (int i = 0; i < n; ++i) {
    batch.push_back(MakeInvoice(i));
    pages += InvoicePageCount(batch.back());
  }
  const PayeeAccount payee{"みずほ銀行", "本店営業部", "当座", "1234567",
                           "ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ"};
  // Warm-up: loads pango/cairo and fontconfig's cache, as the run's first PDF does.
  if (auto warm = RenderInvoicePdf({batch[0]}, payee, {}, batch[0].issue_date); !warm.ok()) {
    std::fprintf(stderr, "%s\n", warm.status().ToString().c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  auto pdf = RenderInvoicePdf(batch, payee, {}, batch[0].issue_date);
  const double cpu = CpuSeconds() - cpu0;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!pdf.ok()) {
    std::fprintf(stderr, "%s\n", pdf.status().ToString().c_str());
    return 1;
  }
  if (argc > 2) std::ofstream(argv[2], std::ios::binary) << *pdf;
  std::printf(
      "invoices=%d pages=%d bytes=%zu seconds=%.3f cpu_seconds=%.3f pages_per_second=%.1f "
      "pages_per_cpu_second=%.1f\n",
      n, pages, pdf->size(), secs, cpu, pages / secs, pages / cpu);
  return 0;
}
