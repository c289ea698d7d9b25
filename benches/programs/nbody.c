/* The C twin of nbody.vais, compiled with cc -O2 for comparison. */
#include <math.h>
#include <stdio.h>
typedef struct { double x, y, z, vx, vy, vz, mass; } Body;
typedef struct { Body bodies[5]; } System;
static const double PI = 3.141592653589793, DAYS_PER_YEAR = 365.24;
static Body body(double x, double y, double z, double vx, double vy, double vz, double mass) {
    double sm = 4.0 * PI * PI;
    Body b = {x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * sm};
    return b;
}
static void offset_momentum(System *s) {
    double px = 0, py = 0, pz = 0;
    for (long i = 0; i < 5; i++) {
        Body *b = &s->bodies[i];
        px += b->vx * b->mass; py += b->vy * b->mass; pz += b->vz * b->mass;
    }
    double sm = 4.0 * PI * PI;
    s->bodies[0].vx = -px / sm; s->bodies[0].vy = -py / sm; s->bodies[0].vz = -pz / sm;
}
static double energy(System *s) {
    double e = 0;
    for (long i = 0; i < 5; i++) {
        Body *b = &s->bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (long j = i + 1; j < 5; j++) {
            Body *c = &s->bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= b->mass * c->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}
static void advance(System *s, double dt) {
    for (long i = 0; i < 5; i++) {
        Body *b = &s->bodies[i];
        for (long j = i + 1; j < 5; j++) {
            Body *c = &s->bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b->vx -= dx * c->mass * mag; b->vy -= dy * c->mass * mag; b->vz -= dz * c->mass * mag;
            c->vx += dx * b->mass * mag; c->vy += dy * b->mass * mag; c->vz += dz * b->mass * mag;
        }
    }
    for (long i = 0; i < 5; i++) {
        Body *b = &s->bodies[i];
        b->x += dt * b->vx; b->y += dt * b->vy; b->z += dt * b->vz;
    }
}
int main(void) {
    System s;
    for (int i = 0; i < 5; i++) s.bodies[i] = body(0, 0, 0, 0, 0, 0, 1.0);
    s.bodies[1] = body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05, 9.54791938424326609e-04);
    s.bodies[2] = body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05, 2.85885980666130812e-04);
    s.bodies[3] = body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05, 4.36624404335156298e-05);
    s.bodies[4] = body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05, 5.15138902046611451e-05);
    offset_momentum(&s);
    printf("%.9f\n", energy(&s));
    for (long k = 0; k < 5000000; k++) advance(&s, 0.01);
    printf("%.9f\n", energy(&s));
    return 0;
}
