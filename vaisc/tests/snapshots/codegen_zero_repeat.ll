; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@vais_argc = global i32 0
@vais_argv = global i8** null

define internal i64 @vais_main() {
entry:
  %a = alloca [1000 x double], align 8
  %0 = bitcast [1000 x double]* %a to i8*
  call void @llvm.memset.p0i8.i64(i8* align 1 %0, i8 0, i64 8000, i1 false)
  %elem = getelementptr [1000 x double], [1000 x double]* %a, i64 0, i64 5
  %load = load double, double* %elem, align 8
  %conv = fptosi double %load to i64
  ret i64 %conv
}

; Function Attrs: argmemonly nofree nounwind willreturn writeonly
declare void @llvm.memset.p0i8.i64(i8* nocapture writeonly, i8, i64, i1 immarg) #0

define i32 @main(i32 %0, i8** %1) {
entry:
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}

attributes #0 = { argmemonly nofree nounwind willreturn writeonly }
