/*
 * leash: runs a program that dies with the process that started it, within a memory bound.
 *
 *   leash [-m BYTES] PROGRAM [ARGS...]
 *
 * On Linux the kernel sends SIGKILL to the program when its parent dies (PR_SET_PDEATHSIG, kept
 * across execve), so a `kill -9` of reelsmith never leaves an FFmpeg rendering on its own. With
 * -m, the program's address space is limited to BYTES (RLIMIT_AS): an allocation beyond it fails,
 * and the program stops with an error instead of taking the machine's memory. The program
 * replaces this one (same pid), so signals and exit codes are the program's own.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int first = 1;
  if (argc > 3 && strcmp(argv[1], "-m") == 0) {
    char *end = NULL;
    unsigned long long bytes = strtoull(argv[2], &end, 10);
    if (!end || *end != '\0' || bytes == 0) {
      fprintf(stderr, "leash: -m needs a number of bytes\n");
      return 127;
    }
    struct rlimit limit = { (rlim_t)bytes, (rlim_t)bytes };
    if (setrlimit(RLIMIT_AS, &limit) != 0) perror("leash: setrlimit");
    first = 3;
  }
  if (argc <= first) {
    fprintf(stderr, "usage: leash [-m BYTES] PROGRAM [ARGS...]\n");
    return 127;
  }
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) perror("leash: prctl");
  /* The parent may have died before prctl: then nobody waits for this program. */
  if (getppid() != parent) return 137;
  execvp(argv[first], argv + first);
  perror(argv[first]);
  return 127;
}
