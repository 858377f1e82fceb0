#pragma once
// The `t3vp` command line. Exit codes: 0 success, 1 the run finished but a check failed, 2 bad input.
namespace t3vp {
int run_cli(int argc, char** argv);
}
