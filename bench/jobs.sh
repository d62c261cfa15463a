# The daily reminders job (section `jobs` of bench/run.sh, which sources this file): how
# long `claimsca jobs run --job reminders` takes when JOBS_N certificates are all due the
# same day (the 75-day expiry stage), on SQLite — composing each e-mail (template, MIME,
# RFC 2047) and writing it to the outbox, a page of 500 per transaction — and how long a
# second run that day takes (every reminder already written: nothing new).
# No anchor: the issue asks for the schedules, this shows they fit in a day with room.
# env: JOBS_N=100000

JOBS_N=${JOBS_N:-100000}

s_jobs() {
  local J=$WORK/jobs rid t0 t out
  mkdir -p "$J" && cd "$J" || return
  "$CLAIMSCA" init --data "$J/d" --demo --key-algorithm ecp256 > "$J/d.init" 2>&1 || { fail "jobs: init"; return; }
  TOKEN=$(sed -n 's/.*shown once.*: //p' "$J/d.init")
  "$CLAIMSCA" admin import-register --data "$J/d" --file "$ROOT/data/institutions-2025-08.csv" > /dev/null 2>&1 ||
    { fail "jobs: import register"; return; }
  # Tomorrow 10:00 JST: after the demo CA's start (made now; a fixed past date would be
  # before it, and the certificate would fail the profile).
  start_claimsca claimsca-jobs "$J/d" --at "$(TZ=Asia/Tokyo date -d tomorrow +%Y-%m-%dT10:00)" \
    --set key_pool.threads=0 || return
  curl -s -m 30 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary \
    '{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1","facility_code":"0112489",
      "institution_name":"愛全病院","contact_name":"医事課","phone":"011-123-4567","email":"iji@example.jp",
      "terminal_name":"受付PC"}' "$SRV_URL/api/v1/applications" > app.json
  rid=$(jq -r .request_id app.json)
  # An application made through the API with the operator's token waits for review
  # (発行承認待ち: automatic review approves only the clinics' own): approve it as the
  # reviewer would, which issues the certificate.
  if [ "$(jq -r .state app.json)" = pending ]; then
    curl -s -m 30 -X POST -H "Authorization: Bearer $TOKEN" "$SRV_URL/api/v1/applications/$rid/approve" > app.json
  fi
  stop_pid "$SRV_PID"
  [ "$(jq -r .state app.json)" = issued ] || { fail "jobs: application not issued: $(head -c 300 app.json)"; return; }
  # The 75-day expiry stage (75..61 days before the end): 74 and 73 days before, 09:30 JST.
  local end day1 day2
  end=$(date -d "$(jq -r .not_after app.json)" +%s) || { fail "jobs: no not_after: $(head -c 300 app.json)"; return; }
  day1=$(TZ=Asia/Tokyo date -d "@$((end - 74 * 86400))" +%Y-%m-%dT09:30)
  day2=$(TZ=Asia/Tokyo date -d "@$((end - 73 * 86400))" +%Y-%m-%dT09:30)
  # JOBS_N - 1 copies of the issued application (same certificate dates), cloned in SQL.
  {
    echo "BEGIN; CREATE TEMP TABLE t AS SELECT * FROM applications WHERE request_id = '$rid';"
    seq 1 $((JOBS_N - 1)) | awk '{ printf "UPDATE t SET seq = NULL, request_id = \"3%013d\", serial = \"c1%07d\"; INSERT INTO applications SELECT * FROM t;\n", $1, $1 }'
    echo "COMMIT;"
  } | sqlite3 "$J/d/claimsca.db" || { fail "jobs: clone"; return; }
  # A time is recorded only for a run that did what it measures (every reminder written,
  # then none again): a run that wrote nothing would be fast and wrong.
  t0=$(now)
  out=$("$CLAIMSCA" jobs run --data "$J/d" --at "$day1" --job reminders 2>&1)
  t=$(since "$t0")
  [[ "$out" == *"expiry_mails=$JOBS_N "* ]] || { fail "jobs: the first run did not write $JOBS_N reminders: $out"; return; }
  record jobs.reminders.first s "jobs run --job reminders, $JOBS_N certificates all due (75-day stage), SQLite: composed and written" "$t"
  t0=$(now)
  out=$("$CLAIMSCA" jobs run --data "$J/d" --at "$day2" --job reminders 2>&1)
  t=$(since "$t0")
  [[ "$out" == *"already_sent=$JOBS_N"* ]] || { fail "jobs: the second run did not find $JOBS_N reminders already written: $out"; return; }
  record jobs.reminders.repeat s "the next day's run, $JOBS_N certificates in the same stage: nothing new to write" "$t"
  cd "$ROOT" || return
}
