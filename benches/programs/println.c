/* 10^6 formatted lines with printf: the twin of println.vais. */
#include <stdio.h>

int main(void) {
    for (long i = 0; i < 1000000; i++) {
        printf("line %ld of %ld: %lx [%6ld] %s\n", i, 1000000L, i * 7, i % 1000, "ok");
    }
    return 0;
}
