; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%P = type { i64, i64 }

@__vais_hot_pending = external global i32
@__vais_hot_layouts_moved = external global i32
@__vais_hot_size.P = global i64 16
@__vais_hot_offset.P.y = global i64 8
@__vais_hot_local.main.ps.0 = internal global [4 x { %P, %P, [64 x i8] }] zeroinitializer
@__vais_hot_offset.P.x = global i64 0
@vais_argc = global i32 0
@vais_argv = global i8** null
@__vais_hot_table = global [1 x i8*] [i8* bitcast (void (%P*)* @__vais_hot_fn.tick to i8*)]
@vais.hot.name = private constant [5 x i8] c"tick\00"
@vais.hot.name.1 = private constant [5 x i8] c"(*P)\00"
@vais.hot.name.2 = private constant [2 x i8] c"P\00"
@vais.hot.name.3 = private constant [33 x i8] c"{ x: i64 @0, y: i64 @8 } size 16\00"
@vais.hot.name.4 = private constant [2 x i8] c"x\00"
@vais.hot.name.5 = private constant [4 x i8] c"i64\00"
@vais.hot.name.6 = private constant [2 x i8] c"y\00"
@vais.hot.name.7 = private constant [4 x i8] c"i64\00"
@vais.hot.fields = private constant [2 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([2 x i8], [2 x i8]* @vais.hot.name.4, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.5, i32 0, i32 0), i32 16401, i32 3, i64 0, i64 8, i64 1, i8* null }, { i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([2 x i8], [2 x i8]* @vais.hot.name.6, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.7, i32 0, i32 0), i32 16401, i32 3, i64 8, i64 8, i64 1, i8* null }]
@vais.hot.name.8 = private constant [8 x i8] c"main.ps\00"
@vais.hot.name.9 = private constant [7 x i8] c"[P; 4]\00"
@vais.hot.name.10 = private constant [8 x i8] c"main.ps\00"
@vais.hot.name.11 = private constant [2 x i8] c"P\00"
@vais.hot.fields.12 = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([8 x i8], [8 x i8]* @vais.hot.name.10, i32 0, i32 0), i8* getelementptr inbounds ([2 x i8], [2 x i8]* @vais.hot.name.11, i32 0, i32 0), i32 80, i32 0, i64 0, i64 64, i64 4, i8* null }]
@vais.hot.functions = private constant [1 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([5 x i8], [5 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([5 x i8], [5 x i8]* @vais.hot.name.1, i32 0, i32 0), i64 -7503737258619763180, i64 2153534972776395055, i32 0, i32 0, i8* bitcast (void (%P*)* @__vais_hot_fn.tick to i8*) }]
@vais.hot.layouts = private constant [2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }] [{ i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([2 x i8], [2 x i8]* @vais.hot.name.2, i32 0, i32 0), i8* getelementptr inbounds ([33 x i8], [33 x i8]* @vais.hot.name.3, i32 0, i32 0), i64 -1806221118980615524, i32 0, i32 2, i64 16, i64 0, i8* bitcast ([2 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields to i8*), i8* null, i32 0, i32 0, i8* null, i8* null }, { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([8 x i8], [8 x i8]* @vais.hot.name.8, i32 0, i32 0), i8* getelementptr inbounds ([7 x i8], [7 x i8]* @vais.hot.name.9, i32 0, i32 0), i64 3797924039098303954, i32 2, i32 1, i64 64, i64 384, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields.12 to i8*), i8* null, i32 0, i32 0, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i8* null }]
@vais.hot.new_globals = private constant [0 x { i8*, i8*, i64, i64, i64, i8*, i8* }] zeroinitializer
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* } { i32 6, i32 0, i64 2087432831185312278, i32 1, i32 2, i32 0, i32 0, i8* bitcast ([1 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([2 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }]* @vais.hot.layouts to i8*), i32 0, i32 0, i8* bitcast ([0 x { i8*, i8*, i64, i64, i64, i8*, i8* }]* @vais.hot.new_globals to i8*) }
@vais.hot.compiler = private unnamed_addr constant [6 x i8] c"vaisc\00", align 1

declare void @vais_hot_safe_point()

declare void @vais_hot_nested_safe_point()

; Function Attrs: noinline null_pointer_is_valid uwtable
define dso_local void @__vais_hot_fn.tick(%P* %0) #0 {
entry:
  %field = getelementptr inbounds %P, %P* %0, i32 0, i32 0
  %old = load i64, i64* %field, align 8
  %add = add i64 %old, 1
  store i64 %add, i64* %field, align 8
  ret void
}

; Function Attrs: uwtable
define internal i64 @sum_y(%P* %0, i64 %1) #1 {
entry:
  %layout.slot14 = alloca i64, align 8
  %layout.start15 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.start15, i64* %layout.slot14, align 8
  %layout.slot = alloca i64, align 8
  %layout.start = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.start, i64* %layout.slot, align 8
  %t = alloca i64, align 8
  %i = alloca i64, align 8
  %pristine = load atomic i32, i32* @__vais_hot_layouts_moved acquire, align 4
  %pristine1 = icmp eq i32 %pristine, 0
  br i1 %pristine1, label %layouts.host, label %layouts.table

layouts.host:                                     ; preds = %entry
  store i64 0, i64* %t, align 8
  store i64 0, i64* %i, align 8
  br label %loop

loop:                                             ; preds = %step, %layouts.host
  %i2 = load i64, i64* %i, align 8
  %more = icmp slt i64 %i2, %1
  br i1 %more, label %body, label %endloop

body:                                             ; preds = %loop
  %old = load i64, i64* %t, align 8
  %load = load i64, i64* %i, align 8
  %elem = getelementptr %P, %P* %0, i64 %load
  %field = getelementptr inbounds %P, %P* %elem, i32 0, i32 1
  %load3 = load i64, i64* %field, align 8
  %add = add i64 %old, %load3
  store i64 %add, i64* %t, align 8
  br label %step

step:                                             ; preds = %body
  %i4 = load i64, i64* %i, align 8
  %next = add i64 %i4, 1
  store i64 %next, i64* %i, align 8
  br label %loop

endloop:                                          ; preds = %loop
  %load5 = load i64, i64* %t, align 8
  br label %layouts.join

layouts.join:                                     ; preds = %endloop8, %endloop
  %join = phi i64 [ %load5, %endloop ], [ %load23, %endloop8 ]
  ret i64 %join

layouts.table:                                    ; preds = %entry
  store i64 0, i64* %t, align 8
  store i64 0, i64* %i, align 8
  br label %loop6

loop6:                                            ; preds = %step9, %layouts.table
  %i10 = load i64, i64* %i, align 8
  %more11 = icmp slt i64 %i10, %1
  br i1 %more11, label %body7, label %endloop8

body7:                                            ; preds = %loop6
  %old12 = load i64, i64* %t, align 8
  %load13 = load i64, i64* %i, align 8
  %layout = load i64, i64* %layout.slot, align 8
  %offset = mul i64 %load13, %layout
  %raw = bitcast %P* %0 to i8*
  %at = getelementptr inbounds i8, i8* %raw, i64 %offset
  %typed = bitcast i8* %at to %P*
  %layout16 = load i64, i64* %layout.slot14, align 8
  %at17 = getelementptr inbounds i8, i8* %at, i64 %layout16
  %typed18 = bitcast i8* %at17 to i64*
  %load19 = load i64, i64* %typed18, align 8
  %add20 = add i64 %old12, %load19
  store i64 %add20, i64* %t, align 8
  br label %step9

step9:                                            ; preds = %body7
  %i21 = load i64, i64* %i, align 8
  %next22 = add i64 %i21, 1
  store i64 %next22, i64* %i, align 8
  br label %loop6

endloop8:                                         ; preds = %loop6
  %load23 = load i64, i64* %t, align 8
  br label %layouts.join
}

; Function Attrs: uwtable
define internal i64 @vais_main() #1 {
entry:
  %tmp = alloca i64, align 8
  %layout.slot6 = alloca i64, align 8
  %layout.start7 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.start7, i64* %layout.slot6, align 8
  %layout.slot1 = alloca i64, align 8
  %layout.start2 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.start2, i64* %layout.slot1, align 8
  %layout.slot = alloca i64, align 8
  %layout.start = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.start, i64* %layout.slot, align 8
  %f = alloca i64, align 8
  %i = alloca i64, align 8
  %layout = load i64, i64* %layout.slot, align 8
  %offset = mul i64 0, %layout
  %at = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset
  %typed = bitcast i8* %at to %P*
  %layout3 = load i64, i64* %layout.slot1, align 8
  %at4 = getelementptr inbounds i8, i8* %at, i64 %layout3
  %typed5 = bitcast i8* %at4 to i64*
  store i64 0, i64* %typed5, align 8
  %layout8 = load i64, i64* %layout.slot6, align 8
  %at9 = getelementptr inbounds i8, i8* %at, i64 %layout8
  %typed10 = bitcast i8* %at9 to i64*
  store i64 1, i64* %typed10, align 8
  store i64 1, i64* %tmp, align 8
  br label %fill

fill:                                             ; preds = %fill_body, %entry
  %i11 = load i64, i64* %tmp, align 8
  %more = icmp ult i64 %i11, 4
  br i1 %more, label %fill_body, label %filled

fill_body:                                        ; preds = %fill
  %layout12 = load i64, i64* %layout.slot, align 8
  %offset13 = mul i64 %i11, %layout12
  %at14 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset13
  %typed15 = bitcast i8* %at14 to %P*
  %layout16 = load i64, i64* %layout.slot, align 8
  %0 = bitcast %P* %typed15 to i8*
  %1 = bitcast %P* %typed to i8*
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* align 8 %0, i8* align 8 %1, i64 %layout16, i1 false)
  %next = add i64 %i11, 1
  store i64 %next, i64* %tmp, align 8
  br label %fill

filled:                                           ; preds = %fill
  store i64 0, i64* %f, align 8
  br label %loop

loop:                                             ; preds = %step, %filled
  %i17 = load i64, i64* %f, align 8
  %more18 = icmp slt i64 %i17, 3
  br i1 %more18, label %body, label %endloop

body:                                             ; preds = %loop
  %waiting = load atomic i32, i32* @__vais_hot_pending acquire, align 4
  %waiting19 = icmp ne i32 %waiting, 0
  br i1 %waiting19, label %safe_point, label %call

safe_point:                                       ; preds = %body
  call void @vais_hot_safe_point()
  %layout.after = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after, i64* %layout.slot, align 8
  %layout.after71 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after71, i64* %layout.slot1, align 8
  %layout.after72 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after72, i64* %layout.slot6, align 8
  br label %call

call:                                             ; preds = %safe_point, %body
  %layout20 = load i64, i64* %layout.slot, align 8
  %offset21 = mul i64 0, %layout20
  %at22 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset21
  %typed23 = bitcast i8* %at22 to %P*
  %body.i = load atomic i8*, i8** getelementptr inbounds ([1 x i8*], [1 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i = bitcast i8* %body.i to void (%P*)*
  call void %fn.i(%P* %typed23)
  %layout.after73 = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after73, i64* %layout.slot, align 8
  %layout.after74 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after74, i64* %layout.slot1, align 8
  %layout.after75 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after75, i64* %layout.slot6, align 8
  %pristine = load atomic i32, i32* @__vais_hot_layouts_moved acquire, align 4
  %pristine24 = icmp eq i32 %pristine, 0
  br i1 %pristine24, label %layouts.host, label %layouts.table

layouts.host:                                     ; preds = %call
  store i64 0, i64* %i, align 8
  br label %loop25

loop25:                                           ; preds = %step28, %layouts.host
  %i29 = load i64, i64* %i, align 8
  %more30 = icmp slt i64 %i29, 4
  br i1 %more30, label %body26, label %step

body26:                                           ; preds = %loop25
  %load = load i64, i64* %i, align 8
  %elem = getelementptr [4 x %P], [4 x %P]* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to [4 x %P]*), i64 0, i64 %load
  %field = getelementptr inbounds %P, %P* %elem, i32 0, i32 1
  %old = load i64, i64* %field, align 8
  %load31 = load i64, i64* %i, align 8
  %elem32 = getelementptr [4 x %P], [4 x %P]* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to [4 x %P]*), i64 0, i64 %load31
  %field33 = getelementptr inbounds %P, %P* %elem32, i32 0, i32 0
  %load34 = load i64, i64* %field33, align 8
  %add = add i64 %old, %load34
  store i64 %add, i64* %field, align 8
  br label %step28

step28:                                           ; preds = %body26
  %i35 = load i64, i64* %i, align 8
  %next36 = add i64 %i35, 1
  store i64 %next36, i64* %i, align 8
  br label %loop25

step:                                             ; preds = %loop37, %loop25
  %i64 = load i64, i64* %f, align 8
  %next65 = add i64 %i64, 1
  store i64 %next65, i64* %f, align 8
  br label %loop

layouts.table:                                    ; preds = %call
  store i64 0, i64* %i, align 8
  br label %loop37

loop37:                                           ; preds = %step40, %layouts.table
  %i41 = load i64, i64* %i, align 8
  %more42 = icmp slt i64 %i41, 4
  br i1 %more42, label %body38, label %step

body38:                                           ; preds = %loop37
  %load43 = load i64, i64* %i, align 8
  %layout44 = load i64, i64* %layout.slot, align 8
  %offset45 = mul i64 %load43, %layout44
  %at46 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset45
  %typed47 = bitcast i8* %at46 to %P*
  %layout48 = load i64, i64* %layout.slot6, align 8
  %at49 = getelementptr inbounds i8, i8* %at46, i64 %layout48
  %typed50 = bitcast i8* %at49 to i64*
  %old51 = load i64, i64* %typed50, align 8
  %load52 = load i64, i64* %i, align 8
  %layout53 = load i64, i64* %layout.slot, align 8
  %offset54 = mul i64 %load52, %layout53
  %at55 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset54
  %typed56 = bitcast i8* %at55 to %P*
  %layout57 = load i64, i64* %layout.slot1, align 8
  %at58 = getelementptr inbounds i8, i8* %at55, i64 %layout57
  %typed59 = bitcast i8* %at58 to i64*
  %load60 = load i64, i64* %typed59, align 8
  %add61 = add i64 %old51, %load60
  store i64 %add61, i64* %typed50, align 8
  br label %step40

step40:                                           ; preds = %body38
  %i62 = load i64, i64* %i, align 8
  %next63 = add i64 %i62, 1
  store i64 %next63, i64* %i, align 8
  br label %loop37

endloop:                                          ; preds = %loop
  %layout66 = load i64, i64* %layout.slot, align 8
  %offset67 = mul i64 0, %layout66
  %at68 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset67
  %typed69 = bitcast i8* %at68 to %P*
  %call70 = call i64 @sum_y(%P* %typed69, i64 4)
  ret i64 %call70
}

; Function Attrs: argmemonly nofree nounwind willreturn
declare void @llvm.memcpy.p0i8.p0i8.i64(i8* noalias nocapture writeonly, i8* noalias nocapture readonly, i64, i1 immarg) #2

; Function Attrs: uwtable
define i32 @main(i32 %0, i8** %1) #1 {
entry:
  call void @vais_hot_runtime_init(i8* bitcast ({ i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* }* @__vais_hot_manifest to i8*), i8** getelementptr inbounds ([1 x i8*], [1 x i8*]* @__vais_hot_table, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.compiler, i32 0, i32 0))
  store i32 %0, i32* @vais_argc, align 4
  store i8** %1, i8*** @vais_argv, align 8
  %status = call i64 @vais_main()
  %exit = trunc i64 %status to i32
  ret i32 %exit
}

; Function Attrs: alwaysinline uwtable
define void @__vais_hot_entry.tick(%P* %0) #3 {
entry:
  %body = load atomic i8*, i8** getelementptr inbounds ([1 x i8*], [1 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn = bitcast i8* %body to void (%P*)*
  tail call void %fn(%P* %0)
  ret void
}

declare void @vais_hot_runtime_init(i8*, i8**, i8*)

attributes #0 = { noinline null_pointer_is_valid uwtable "disable-tail-calls"="true" }
attributes #1 = { uwtable }
attributes #2 = { argmemonly nofree nounwind willreturn }
attributes #3 = { alwaysinline uwtable }
