; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@vais_argc = global i32 0
@vais_argv = global i8** null

define internal double @add(i64 %0, double %1) {
entry:
  %conv = sitofp i64 %0 to double
  %add = fadd double %conv, %1
  ret double %add
}

define internal i64 @vais_main() {
entry:
  %task = call i8* @calloc(i64 1, i64 48)
  %record = bitcast i8* %task to { i64, i64, i8*, double, i64, double }*
  %run = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 2
  store i8* bitcast (i8* (i8*)* @vais.task.run.add to i8*), i8** %run, align 8
  %arg = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 4
  store i64 1, i64* %arg, align 8
  %arg1 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 5
  store double 2.500000e+00, double* %arg1, align 8
  %task2 = call i8* @calloc(i64 1, i64 48)
  %record3 = bitcast i8* %task2 to { i64, i64, i8*, double, i64, double }*
  %run4 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record3, i32 0, i32 2
  store i8* bitcast (i8* (i8*)* @vais.task.run.add to i8*), i8** %run4, align 8
  %arg5 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record3, i32 0, i32 4
  store i64 2, i64* %arg5, align 8
  %arg6 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record3, i32 0, i32 5
  store double 5.000000e-01, double* %arg6, align 8
  call void @vais.task.spawn(i8* %task2)
  call void @vais.task.await(i8* %task)
  %record7 = bitcast i8* %task to { i64, i64, i8*, double }*
  %result = getelementptr inbounds { i64, i64, i8*, double }, { i64, i64, i8*, double }* %record7, i32 0, i32 3
  %value = load double, double* %result, align 8
  call void @vais.task.await(i8* %task2)
  %record8 = bitcast i8* %task2 to { i64, i64, i8*, double }*
  %result9 = getelementptr inbounds { i64, i64, i8*, double }, { i64, i64, i8*, double }* %record8, i32 0, i32 3
  %value10 = load double, double* %result9, align 8
  %add = fadd double %value, %value10
  %conv = fptosi double %add to i64
  ret i64 %conv
}

define internal i8* @vais.task.run.add(i8* %0) {
entry:
  %record = bitcast i8* %0 to { i64, i64, i8*, double, i64, double }*
  %arg = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 4
  %arg1 = load i64, i64* %arg, align 8
  %arg2 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 5
  %arg3 = load double, double* %arg2, align 8
  %result = call double @add(i64 %arg1, double %arg3)
  %result4 = getelementptr inbounds { i64, i64, i8*, double, i64, double }, { i64, i64, i8*, double, i64, double }* %record, i32 0, i32 3
  store double %result, double* %result4, align 8
  ret i8* null
}

declare i8* @calloc(i64, i64)

define internal void @vais.task.spawn(i8* %0) {
entry:
  %record = bitcast i8* %0 to { i64, i64, i8* }*
  %thread = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 1
  %run = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 2
  %run1 = load i8*, i8** %run, align 8
  %run2 = bitcast i8* %run1 to i8* (i8*)*
  %rc = call i32 @pthread_create(i64* %thread, i8* null, i8* (i8*)* %run2, i8* %0)
  %ok = icmp eq i32 %rc, 0
  %state = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 0
  br i1 %ok, label %started, label %here

started:                                          ; preds = %entry
  store i64 1, i64* %state, align 8
  ret void

here:                                             ; preds = %entry
  %1 = call i8* %run2(i8* %0)
  store i64 2, i64* %state, align 8
  ret void
}

declare i32 @pthread_create(i64*, i8*, i8* (i8*)*, i8*)

define internal void @vais.task.await(i8* %0) {
entry:
  %record = bitcast i8* %0 to { i64, i64, i8* }*
  %state = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 0
  br label %look

look:                                             ; preds = %wait, %claim_join, %claim_run, %entry
  %now = load atomic i64, i64* %state acquire, align 8
  switch i64 %now, label %wait [
    i64 0, label %claim_run
    i64 1, label %claim_join
    i64 2, label %done
  ]

claim_run:                                        ; preds = %look
  %1 = cmpxchg i64* %state, i64 0, i64 3 acq_rel acquire, align 8
  %won = extractvalue { i64, i1 } %1, 1
  br i1 %won, label %run_here, label %look

run_here:                                         ; preds = %claim_run
  %run = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 2
  %run2 = load i8*, i8** %run, align 8
  %run3 = bitcast i8* %run2 to i8* (i8*)*
  %2 = call i8* %run3(i8* %0)
  store atomic i64 2, i64* %state release, align 8
  br label %done

done:                                             ; preds = %join, %run_here, %look
  ret void

wait:                                             ; preds = %look
  %3 = call i32 @sched_yield()
  br label %look

claim_join:                                       ; preds = %look
  %4 = cmpxchg i64* %state, i64 1, i64 3 acq_rel acquire, align 8
  %won1 = extractvalue { i64, i1 } %4, 1
  br i1 %won1, label %join, label %look

join:                                             ; preds = %claim_join
  %thread = getelementptr inbounds { i64, i64, i8* }, { i64, i64, i8* }* %record, i32 0, i32 1
  %thread4 = load i64, i64* %thread, align 8
  %5 = call i32 @pthread_join(i64 %thread4, i8** null)
  store atomic i64 2, i64* %state release, align 8
  br label %done
}

declare i32 @pthread_join(i64, i8**)

declare i32 @sched_yield()

define i32 @main(i32 %0, i8** %1) {
entry:
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}
