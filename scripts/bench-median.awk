# Prints the median of each benchmark's reported metrics (listings/s,
# images/s, ratio, p99_ms, ...) over the -count runs piped in from go test.
# Lines pass through unchanged so the raw figures stay visible.
{ print }
/^Benchmark/ {
  for (i = 3; i < NF; i += 2) {
    unit = $(i+1)
    if (unit == "ns/op" || unit == "B/op" || unit == "allocs/op") continue
    key = $1 " " unit
    n[key]++
    v[key, n[key]] = $i + 0
  }
}
END {
  if (length(n) == 0) exit
  print ""
  print "median over runs (-N suffix = GOMAXPROCS):"
  for (k in n) {
    m = n[k]
    for (i = 1; i <= m; i++) a[i] = v[k, i]
    for (i = 2; i <= m; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] > x) { a[j+1] = a[j]; j-- } a[j+1] = x }
    med = (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
    printf "  %-52s %12.4g\n", k, med
  }
}
