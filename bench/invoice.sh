# Invoice PDFs (section `invoice` of bench/run.sh, which sources this file): pages per
# second of billing::RenderInvoicePdf drawing one batch of INVOICE_N invoices
# (bench/invoice_pdf_bench.cc: a month's mix of breakdown lengths, ~1.1 pages per invoice),
# pinned to the client core, RUNS times; the batch is checked with pdfinfo / pdffonts.
# Target of issue 19: 500 pages/s or more. No anchor (nothing else draws this invoice).
# env: INVOICE_N=2000

INVOICE_N=${INVOICE_N:-2000}

s_invoice() {
  local out wall=() cpu=() pages
  if [ ! -x "$TOOLS/invoice_pdf_bench" ]; then
    cmake --build "$BUILD" --target invoice_pdf_bench > "$RAW/build-invoice.log" 2>&1 ||
      { fail "invoice: build (see raw/build-invoice.log)"; return; }
  fi
  for _ in $(seq 1 "$RUNS"); do
    out=$(taskset -c "$CLIENT_CPU" "$TOOLS/invoice_pdf_bench" "$INVOICE_N" "$WORK/invoices.pdf" 2>&1) ||
      { fail "invoice: $out"; return; }
    echo "$out" >> "$RAW/invoice.log"
    wall+=("$(sed -n 's/.* pages_per_second=\([0-9.]*\).*/\1/p' <<< "$out")")
    cpu+=("$(sed -n 's/.* pages_per_cpu_second=\([0-9.]*\).*/\1/p' <<< "$out")")
  done
  pages=$(sed -n 's/.* pages=\([0-9]*\) .*/\1/p' <<< "$out")
  [ "$(pdfinfo "$WORK/invoices.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')" = "$pages" ] ||
    fail "invoice: pdfinfo does not count $pages pages"
  pdffonts "$WORK/invoices.pdf" 2>/dev/null | tail -n +3 | grep -qv ' yes yes ' &&
    fail "invoice: a font is not embedded as a subset"
  record invoice.pdf.pages_per_s pages/s "invoice PDF, one batch of $INVOICE_N invoices ($pages pages), 1 core, wall time" "${wall[@]}"
  record invoice.pdf.pages_per_cpu_s pages/s "the same, per CPU second of the process" "${cpu[@]}"
  target invoice.pdf "invoice PDF pages per second (one batch of $INVOICE_N invoices, 1 core)" "$(get invoice.pdf.pages_per_s)" pages/s ge 500
  rm -f "$WORK/invoices.pdf"
}
