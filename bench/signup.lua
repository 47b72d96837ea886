-- wrk script: every request is a new, valid sign-up (unique NIP, email and handles).
-- INSTITUTION and UNIT come from the environment (set by signup.sh).
local n = 0
local inst = os.getenv("INSTITUTION")
local unit = os.getenv("UNIT")
local consent = os.getenv("CONSENT")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  local day = (n % 28) + 1
  local seq = math.floor(n / 28) % 999 + 1
  local nip = string.format("198609%02d2015052%03d", day, seq)
  local body = string.format(
    '{"name":"Bench %d","display_name":"Bench %d","nip":"%s","employee_type":"pns",' ..
    '"email":"bench%d@instansi.go.id","phone":"0812 3456 %04d","institution_id":%s,"work_unit_id":%s,' ..
    '"password":"bench password %d","consent":true,"consent_version":"%s","platforms":[' ..
    '{"platform":"facebook","handle":"bench.fb.%d","method":"screenshot","count":800},' ..
    '{"platform":"x","handle":"bench_x%d","method":"screenshot","count":900},' ..
    '{"platform":"instagram","handle":"bench.ig.%d","method":"screenshot","count":700}]}',
    n, n, nip, n, n % 10000, inst, unit, n, consent, n, n, n)
  return wrk.format(nil, nil, nil, body)
end
