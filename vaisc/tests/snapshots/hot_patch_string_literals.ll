; ModuleID = 'vais'
source_filename = "vais"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [5 x i8] c"none\00"
@.str.1 = private unnamed_addr constant [3 x i8] c"hi\00"
@.str.2 = private unnamed_addr constant [4 x i8] c"pos\00"
@.str.3 = private unnamed_addr constant [4 x i8] c"neg\00"
@__vais_hot_table = external global [1 x i8*]
@last = external global i8*
@.str.1.cache = internal global i8* null
@.str.2.cache = internal global i8* null
@.str.3.cache = internal global i8* null
@vais.hot.name = private constant [6 x i8] c"greet\00"
@vais.hot.name.4 = private constant [13 x i8] c"(i64) -> i64\00"
@vais.hot.name.5 = private constant [5 x i8] c"last\00"
@vais.hot.name.6 = private constant [4 x i8] c"str\00"
@vais.hot.name.7 = private constant [5 x i8] c"last\00"
@vais.hot.name.8 = private constant [4 x i8] c"str\00"
@vais.hot.fields = private constant [1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }] [{ i8*, i8*, i32, i32, i64, i64, i64, i8* } { i8* getelementptr inbounds ([5 x i8], [5 x i8]* @vais.hot.name.7, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.8, i32 0, i32 0), i32 64, i32 0, i64 0, i64 8, i64 1, i8* null }]
@vais.hot.functions = private constant [1 x { i8*, i8*, i64, i64, i32, i32, i8* }] [{ i8*, i8*, i64, i64, i32, i32, i8* } { i8* getelementptr inbounds ([6 x i8], [6 x i8]* @vais.hot.name, i32 0, i32 0), i8* getelementptr inbounds ([13 x i8], [13 x i8]* @vais.hot.name.4, i32 0, i32 0), i64 3844429523140041899, i64 6091472509567288836, i32 0, i32 0, i8* bitcast (i64 (i64)* @__vais_hot_body.greet to i8*) }]
@vais.hot.layouts = private constant [1 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }] [{ i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* } { i8* getelementptr inbounds ([5 x i8], [5 x i8]* @vais.hot.name.5, i32 0, i32 0), i8* getelementptr inbounds ([4 x i8], [4 x i8]* @vais.hot.name.6, i32 0, i32 0), i64 -9048150456382168848, i32 2, i32 1, i64 8, i64 0, i8* bitcast ([1 x { i8*, i8*, i32, i32, i64, i64, i64, i8* }]* @vais.hot.fields to i8*), i8* null, i32 0, i32 0, i8* null, i8* null }]
@vais.hot.new_globals = private constant [0 x { i8*, i8*, i64, i64, i64, i8*, i8* }] zeroinitializer
@__vais_hot_manifest = protected constant { i32, i32, i64, i32, i32, i32, i32, i8*, i8*, i32, i32, i8* } { i32 6, i32 1, i64 2087432831185312278, i32 1, i32 1, i32 0, i32 0, i8* bitcast ([1 x { i8*, i8*, i64, i64, i32, i32, i8* }]* @vais.hot.functions to i8*), i8* bitcast ([1 x { i8*, i8*, i64, i32, i32, i64, i64, i8*, i8*, i32, i32, i8*, i8* }]* @vais.hot.layouts to i8*), i32 0, i32 0, i8* bitcast ([0 x { i8*, i8*, i64, i64, i64, i8*, i8* }]* @vais.hot.new_globals to i8*) }

declare i32 @puts(i8*)

declare i64 @__vais_hot_fn.shout()

; Function Attrs: noinline null_pointer_is_valid uwtable
define protected i64 @__vais_hot_body.greet(i64 %0) #0 {
entry:
  %cached.i12 = load atomic i8*, i8** @.str.1.cache acquire, align 8
  %missing.i13 = icmp eq i8* %cached.i12, null
  br i1 %missing.i13, label %miss.i16, label %hit.i14

hit.i14:                                          ; preds = %entry
  br label %__vais_hot_lit.exit17

miss.i16:                                         ; preds = %entry
  %copy.i15 = call i8* @vais_hot_literal(i8** @.str.1.cache, i8* getelementptr inbounds ([3 x i8], [3 x i8]* @.str.1, i32 0, i32 0), i64 3)
  br label %__vais_hot_lit.exit17

__vais_hot_lit.exit17:                            ; preds = %miss.i16, %hit.i14
  %lit18 = phi i8* [ %cached.i12, %hit.i14 ], [ %copy.i15, %miss.i16 ]
  store i8* %lit18, i8** @last, align 8
  %cmp = icmp sgt i64 %0, 0
  br i1 %cmp, label %then, label %else

then:                                             ; preds = %__vais_hot_lit.exit17
  %cached.i5 = load atomic i8*, i8** @.str.2.cache acquire, align 8
  %missing.i6 = icmp eq i8* %cached.i5, null
  br i1 %missing.i6, label %miss.i9, label %hit.i7

hit.i7:                                           ; preds = %then
  br label %__vais_hot_lit.exit10

miss.i9:                                          ; preds = %then
  %copy.i8 = call i8* @vais_hot_literal(i8** @.str.2.cache, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @.str.2, i32 0, i32 0), i64 4)
  br label %__vais_hot_lit.exit10

__vais_hot_lit.exit10:                            ; preds = %miss.i9, %hit.i7
  %lit211 = phi i8* [ %cached.i5, %hit.i7 ], [ %copy.i8, %miss.i9 ]
  %call = call i32 @puts(i8* %lit211)
  br label %endif

endif:                                            ; preds = %__vais_hot_lit.exit, %__vais_hot_lit.exit10
  ret i64 0

else:                                             ; preds = %__vais_hot_lit.exit17
  %cached.i = load atomic i8*, i8** @.str.3.cache acquire, align 8
  %missing.i = icmp eq i8* %cached.i, null
  br i1 %missing.i, label %miss.i, label %hit.i

hit.i:                                            ; preds = %else
  br label %__vais_hot_lit.exit

miss.i:                                           ; preds = %else
  %copy.i = call i8* @vais_hot_literal(i8** @.str.3.cache, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @.str.3, i32 0, i32 0), i64 4)
  br label %__vais_hot_lit.exit

__vais_hot_lit.exit:                              ; preds = %miss.i, %hit.i
  %lit34 = phi i8* [ %cached.i, %hit.i ], [ %copy.i, %miss.i ]
  %call1 = call i32 @puts(i8* %lit34)
  br label %endif
}

declare i8* @vais_hot_literal(i8**, i8*, i64)

attributes #0 = { noinline null_pointer_is_valid uwtable "disable-tail-calls"="true" }
