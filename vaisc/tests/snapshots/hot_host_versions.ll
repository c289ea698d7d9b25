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
  %join = phi i64 [ %load5, %endloop ], [ %load24, %endloop8 ]
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
  %raw17 = bitcast %P* %typed to i8*
  %at18 = getelementptr inbounds i8, i8* %raw17, i64 %layout16
  %typed19 = bitcast i8* %at18 to i64*
  %load20 = load i64, i64* %typed19, align 8
  %add21 = add i64 %old12, %load20
  store i64 %add21, i64* %t, align 8
  br label %step9

step9:                                            ; preds = %body7
  %i22 = load i64, i64* %i, align 8
  %next23 = add i64 %i22, 1
  store i64 %next23, i64* %i, align 8
  br label %loop6

endloop8:                                         ; preds = %loop6
  %load24 = load i64, i64* %t, align 8
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
  %raw = bitcast %P* %typed to i8*
  %at4 = getelementptr inbounds i8, i8* %raw, i64 %layout3
  %typed5 = bitcast i8* %at4 to i64*
  store i64 0, i64* %typed5, align 8
  %layout8 = load i64, i64* %layout.slot6, align 8
  %raw9 = bitcast %P* %typed to i8*
  %at10 = getelementptr inbounds i8, i8* %raw9, i64 %layout8
  %typed11 = bitcast i8* %at10 to i64*
  store i64 1, i64* %typed11, align 8
  store i64 1, i64* %tmp, align 8
  br label %fill

fill:                                             ; preds = %fill_body, %entry
  %i12 = load i64, i64* %tmp, align 8
  %more = icmp ult i64 %i12, 4
  br i1 %more, label %fill_body, label %filled

fill_body:                                        ; preds = %fill
  %layout13 = load i64, i64* %layout.slot, align 8
  %offset14 = mul i64 %i12, %layout13
  %at15 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset14
  %typed16 = bitcast i8* %at15 to %P*
  %layout17 = load i64, i64* %layout.slot, align 8
  %0 = bitcast %P* %typed16 to i8*
  %1 = bitcast %P* %typed to i8*
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* align 8 %0, i8* align 8 %1, i64 %layout17, i1 false)
  %layout.after = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after, i64* %layout.slot, align 8
  %layout.after74 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after74, i64* %layout.slot1, align 8
  %layout.after75 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after75, i64* %layout.slot6, align 8
  %next = add i64 %i12, 1
  store i64 %next, i64* %tmp, align 8
  br label %fill

filled:                                           ; preds = %fill
  store i64 0, i64* %f, align 8
  br label %loop

loop:                                             ; preds = %step, %filled
  %i18 = load i64, i64* %f, align 8
  %more19 = icmp slt i64 %i18, 3
  br i1 %more19, label %body, label %endloop

body:                                             ; preds = %loop
  %waiting = load atomic i32, i32* @__vais_hot_pending acquire, align 4
  %waiting20 = icmp ne i32 %waiting, 0
  br i1 %waiting20, label %safe_point, label %call

safe_point:                                       ; preds = %body
  call void @vais_hot_safe_point()
  %layout.after79 = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after79, i64* %layout.slot, align 8
  %layout.after80 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after80, i64* %layout.slot1, align 8
  %layout.after81 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after81, i64* %layout.slot6, align 8
  br label %call

call:                                             ; preds = %safe_point, %body
  %layout21 = load i64, i64* %layout.slot, align 8
  %offset22 = mul i64 0, %layout21
  %at23 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset22
  %typed24 = bitcast i8* %at23 to %P*
  %body.i = load atomic i8*, i8** getelementptr inbounds ([1 x i8*], [1 x i8*]* @__vais_hot_table, i64 0, i64 0) acquire, align 8
  %fn.i = bitcast i8* %body.i to void (%P*)*
  call void %fn.i(%P* %typed24)
  %layout.after82 = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after82, i64* %layout.slot, align 8
  %layout.after83 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after83, i64* %layout.slot1, align 8
  %layout.after84 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after84, i64* %layout.slot6, align 8
  %pristine = load atomic i32, i32* @__vais_hot_layouts_moved acquire, align 4
  %pristine25 = icmp eq i32 %pristine, 0
  br i1 %pristine25, label %layouts.host, label %layouts.table

layouts.host:                                     ; preds = %call
  store i64 0, i64* %i, align 8
  br label %loop26

loop26:                                           ; preds = %step29, %layouts.host
  %i30 = load i64, i64* %i, align 8
  %more31 = icmp slt i64 %i30, 4
  br i1 %more31, label %body27, label %step

body27:                                           ; preds = %loop26
  %load = load i64, i64* %i, align 8
  %elem = getelementptr [4 x %P], [4 x %P]* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to [4 x %P]*), i64 0, i64 %load
  %field = getelementptr inbounds %P, %P* %elem, i32 0, i32 1
  %old = load i64, i64* %field, align 8
  %load32 = load i64, i64* %i, align 8
  %elem33 = getelementptr [4 x %P], [4 x %P]* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to [4 x %P]*), i64 0, i64 %load32
  %field34 = getelementptr inbounds %P, %P* %elem33, i32 0, i32 0
  %load35 = load i64, i64* %field34, align 8
  %add = add i64 %old, %load35
  store i64 %add, i64* %field, align 8
  br label %step29

step29:                                           ; preds = %body27
  %i36 = load i64, i64* %i, align 8
  %next37 = add i64 %i36, 1
  store i64 %next37, i64* %i, align 8
  br label %loop26

step:                                             ; preds = %loop38, %loop26
  %i67 = load i64, i64* %f, align 8
  %next68 = add i64 %i67, 1
  store i64 %next68, i64* %f, align 8
  br label %loop

layouts.table:                                    ; preds = %call
  store i64 0, i64* %i, align 8
  br label %loop38

loop38:                                           ; preds = %step41, %layouts.table
  %i42 = load i64, i64* %i, align 8
  %more43 = icmp slt i64 %i42, 4
  br i1 %more43, label %body39, label %step

body39:                                           ; preds = %loop38
  %load44 = load i64, i64* %i, align 8
  %layout45 = load i64, i64* %layout.slot, align 8
  %offset46 = mul i64 %load44, %layout45
  %at47 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset46
  %typed48 = bitcast i8* %at47 to %P*
  %layout49 = load i64, i64* %layout.slot6, align 8
  %raw50 = bitcast %P* %typed48 to i8*
  %at51 = getelementptr inbounds i8, i8* %raw50, i64 %layout49
  %typed52 = bitcast i8* %at51 to i64*
  %old53 = load i64, i64* %typed52, align 8
  %load54 = load i64, i64* %i, align 8
  %layout55 = load i64, i64* %layout.slot, align 8
  %offset56 = mul i64 %load54, %layout55
  %at57 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset56
  %typed58 = bitcast i8* %at57 to %P*
  %layout59 = load i64, i64* %layout.slot1, align 8
  %raw60 = bitcast %P* %typed58 to i8*
  %at61 = getelementptr inbounds i8, i8* %raw60, i64 %layout59
  %typed62 = bitcast i8* %at61 to i64*
  %load63 = load i64, i64* %typed62, align 8
  %add64 = add i64 %old53, %load63
  store i64 %add64, i64* %typed52, align 8
  br label %step41

step41:                                           ; preds = %body39
  %i65 = load i64, i64* %i, align 8
  %next66 = add i64 %i65, 1
  store i64 %next66, i64* %i, align 8
  br label %loop38

endloop:                                          ; preds = %loop
  %layout69 = load i64, i64* %layout.slot, align 8
  %offset70 = mul i64 0, %layout69
  %at71 = getelementptr inbounds i8, i8* bitcast ([4 x { %P, %P, [64 x i8] }]* @__vais_hot_local.main.ps.0 to i8*), i64 %offset70
  %typed72 = bitcast i8* %at71 to %P*
  %call73 = call i64 @sum_y(%P* %typed72, i64 4)
  %layout.after76 = load i64, i64* @__vais_hot_size.P, align 8
  store i64 %layout.after76, i64* %layout.slot, align 8
  %layout.after77 = load i64, i64* @__vais_hot_offset.P.x, align 8
  store i64 %layout.after77, i64* %layout.slot1, align 8
  %layout.after78 = load i64, i64* @__vais_hot_offset.P.y, align 8
  store i64 %layout.after78, i64* %layout.slot6, align 8
  ret i64 %call73
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
