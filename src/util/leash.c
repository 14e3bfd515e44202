/*
 * leash: runs a program that dies with the process that started it.
 *
 *   leash PROGRAM [ARGS...]
 *
 * On Linux the kernel sends SIGKILL to the program when its parent dies (PR_SET_PDEATHSIG, kept
 * across execve), so a `kill -9` of reelsmith never leaves an FFmpeg rendering on its own. The
 * program replaces this one (same pid), so signals and exit codes are the program's own.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: leash PROGRAM [ARGS...]\n");
    return 127;
  }
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) perror("leash: prctl");
  /* The parent may have died before prctl: then nobody waits for this program. */
  if (getppid() != parent) return 137;
  execvp(argv[1], argv + 1);
  perror(argv[1]);
  return 127;
}
