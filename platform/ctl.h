#pragma once
// `t3vp ctl`: a small client of `t3vp serve`, so that demos and tests need no other tool. Sends one
// request, prints the reply line; exit code 0 when the reply says ok, 1 when it does not, 2 for bad
// usage, 3 when the server cannot be reached or gives no valid reply (docs/serve.md).
namespace t3vp {

// argv[0] is "ctl".
int run_ctl(int argc, char** argv);

}  // namespace t3vp
